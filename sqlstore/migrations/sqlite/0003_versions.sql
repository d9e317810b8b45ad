-- Version counters: each grows in the transaction of every change to what it
-- names, so a node can keep derived data (the membership that covers an
-- account) in memory and check it with one row read.
CREATE TABLE store_versions (
	name TEXT PRIMARY KEY,
	n    INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO store_versions (name, n) VALUES ('memberships', 0);

-- ListCases reads cases_page backwards (newest first) just as well, and an
-- ascending index grows at its right edge, where SQLite fills pages fully;
-- inserted at the left edge, the descending one split into half-full pages
-- (about 1.8 times the pages for the same cases).
DROP INDEX cases_page;
CREATE INDEX cases_page ON cases (account_id, region, created_ns, case_id);
