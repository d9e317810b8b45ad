-- sird schema, SQLite. Each row keeps the columns it is found by beside its
-- JSON document (doc). Times are Unix nanoseconds. STRICT rejects a value of
-- the wrong type instead of storing it.

CREATE TABLE access_keys (
	id         TEXT PRIMARY KEY,
	account_id TEXT NOT NULL,
	doc        TEXT NOT NULL
) STRICT;

CREATE TABLE idempotency (
	scope        TEXT NOT NULL,
	token        TEXT NOT NULL,
	request_hash TEXT NOT NULL,
	resource_id  TEXT NOT NULL,
	created_ns   INTEGER NOT NULL,
	PRIMARY KEY (scope, token)
) STRICT, WITHOUT ROWID;

CREATE TABLE memberships (
	id         TEXT PRIMARY KEY,
	account_id TEXT NOT NULL,
	region     TEXT NOT NULL,
	doc        TEXT NOT NULL
) STRICT;
CREATE INDEX memberships_account ON memberships (account_id, region, id);

CREATE TABLE membership_changes (
	membership_id TEXT NOT NULL REFERENCES memberships (id),
	seq           INTEGER NOT NULL,
	doc           TEXT NOT NULL,
	PRIMARY KEY (membership_id, seq)
) STRICT;

CREATE TABLE organizations (
	id                    TEXT PRIMARY KEY,
	management_account_id TEXT NOT NULL,
	doc                   TEXT NOT NULL
) STRICT;

CREATE TABLE org_units (
	id     TEXT PRIMARY KEY,
	org_id TEXT NOT NULL,
	doc    TEXT NOT NULL
) STRICT;
CREATE INDEX org_units_org ON org_units (org_id, id);

CREATE TABLE org_accounts (
	account_id TEXT PRIMARY KEY,
	org_id     TEXT NOT NULL,
	doc        TEXT NOT NULL
) STRICT;
CREATE INDEX org_accounts_org ON org_accounts (org_id, account_id);

CREATE TABLE cases (
	case_id    TEXT PRIMARY KEY,
	account_id TEXT NOT NULL,
	region     TEXT NOT NULL,
	created_ns INTEGER NOT NULL,
	doc        TEXT NOT NULL
) STRICT;
-- ListCases: newest first within an account and region, keyset-paged.
CREATE INDEX cases_page ON cases (account_id, region, created_ns DESC, case_id DESC);

-- Maintained by InsertCase in the same transaction, so the total is one row read.
CREATE TABLE case_counts (
	account_id TEXT NOT NULL,
	region     TEXT NOT NULL,
	n          INTEGER NOT NULL,
	PRIMARY KEY (account_id, region)
) STRICT, WITHOUT ROWID;

CREATE TABLE case_edits (
	case_id TEXT NOT NULL REFERENCES cases (case_id),
	seq     INTEGER NOT NULL,
	doc     TEXT NOT NULL,
	PRIMARY KEY (case_id, seq)
) STRICT;

CREATE TABLE comments (
	case_id    TEXT NOT NULL REFERENCES cases (case_id),
	comment_id TEXT NOT NULL,
	doc        TEXT NOT NULL,
	PRIMARY KEY (case_id, comment_id)
) STRICT;

CREATE TABLE pending_uploads (
	case_id       TEXT NOT NULL REFERENCES cases (case_id),
	attachment_id TEXT NOT NULL,
	account_id    TEXT NOT NULL,
	region        TEXT NOT NULL,
	expires_ns    INTEGER NOT NULL,
	PRIMARY KEY (case_id, attachment_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX pending_uploads_expiry ON pending_uploads (expires_ns, case_id, attachment_id);

-- The outbox: events written with the change they describe, delivered later
-- in seq order. created_at is the event time in Unix nanoseconds.
CREATE TABLE events (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	id         TEXT NOT NULL UNIQUE,
	created_at INTEGER NOT NULL,
	type       TEXT NOT NULL,
	doc        TEXT NOT NULL
) STRICT;
