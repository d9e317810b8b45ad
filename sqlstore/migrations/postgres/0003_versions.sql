-- Version counters: each grows in the transaction of every change to what it
-- names, so a node can keep derived data (the membership that covers an
-- account) in memory and check it with one row read.
CREATE TABLE store_versions (
	name TEXT COLLATE "C" PRIMARY KEY,
	n    BIGINT NOT NULL
);
INSERT INTO store_versions (name, n) VALUES ('memberships', 0);
