-- sird schema, PostgreSQL. Each row keeps the columns it is found by beside
-- its JSON document (doc, TEXT: JSONB would reject the \u0000 escape a client
-- may send, and parse every write). Times are Unix nanoseconds. Keys use the
-- "C" collation: byte order, as the keyset cursors and Go compare them, and
-- cheaper than a locale's.

CREATE TABLE access_keys (
	id         TEXT COLLATE "C" PRIMARY KEY,
	account_id TEXT COLLATE "C" NOT NULL,
	doc        TEXT NOT NULL
);

CREATE TABLE idempotency (
	scope        TEXT COLLATE "C" NOT NULL,
	token        TEXT COLLATE "C" NOT NULL,
	request_hash TEXT NOT NULL,
	resource_id  TEXT NOT NULL,
	created_ns   BIGINT NOT NULL,
	PRIMARY KEY (scope, token)
);

CREATE TABLE memberships (
	id         TEXT COLLATE "C" PRIMARY KEY,
	account_id TEXT COLLATE "C" NOT NULL,
	region     TEXT COLLATE "C" NOT NULL,
	doc        TEXT NOT NULL
);
CREATE INDEX memberships_account ON memberships (account_id, region, id);

CREATE TABLE membership_changes (
	membership_id TEXT COLLATE "C" NOT NULL REFERENCES memberships (id),
	seq           BIGINT NOT NULL,
	doc           TEXT NOT NULL,
	PRIMARY KEY (membership_id, seq)
);

CREATE TABLE organizations (
	id                    TEXT COLLATE "C" PRIMARY KEY,
	management_account_id TEXT COLLATE "C" NOT NULL,
	doc                   TEXT NOT NULL
);

CREATE TABLE org_units (
	id     TEXT COLLATE "C" PRIMARY KEY,
	org_id TEXT COLLATE "C" NOT NULL,
	doc    TEXT NOT NULL
);
CREATE INDEX org_units_org ON org_units (org_id, id);

CREATE TABLE org_accounts (
	account_id TEXT COLLATE "C" PRIMARY KEY,
	org_id     TEXT COLLATE "C" NOT NULL,
	doc        TEXT NOT NULL
);
CREATE INDEX org_accounts_org ON org_accounts (org_id, account_id);

CREATE TABLE cases (
	case_id    TEXT COLLATE "C" PRIMARY KEY,
	account_id TEXT COLLATE "C" NOT NULL,
	region     TEXT COLLATE "C" NOT NULL,
	created_ns BIGINT NOT NULL,
	doc        TEXT NOT NULL
);
-- ListCases: newest first within an account and region, keyset-paged.
CREATE INDEX cases_page ON cases (account_id, region, created_ns DESC, case_id DESC);

-- Maintained by InsertCase in the same transaction, so the total is one row read.
CREATE TABLE case_counts (
	account_id TEXT COLLATE "C" NOT NULL,
	region     TEXT COLLATE "C" NOT NULL,
	n          BIGINT NOT NULL,
	PRIMARY KEY (account_id, region)
);

CREATE TABLE case_edits (
	case_id TEXT COLLATE "C" NOT NULL REFERENCES cases (case_id),
	seq     BIGINT NOT NULL,
	doc     TEXT NOT NULL,
	PRIMARY KEY (case_id, seq)
);

CREATE TABLE comments (
	case_id    TEXT COLLATE "C" NOT NULL REFERENCES cases (case_id),
	comment_id TEXT COLLATE "C" NOT NULL,
	doc        TEXT NOT NULL,
	PRIMARY KEY (case_id, comment_id)
);

CREATE TABLE pending_uploads (
	case_id       TEXT COLLATE "C" NOT NULL REFERENCES cases (case_id),
	attachment_id TEXT COLLATE "C" NOT NULL,
	account_id    TEXT COLLATE "C" NOT NULL,
	region        TEXT COLLATE "C" NOT NULL,
	expires_ns    BIGINT NOT NULL,
	PRIMARY KEY (case_id, attachment_id)
);
CREATE INDEX pending_uploads_expiry ON pending_uploads (expires_ns, case_id, attachment_id);

-- The outbox: events written with the change they describe, delivered later
-- in seq order. created_at is the event time in Unix nanoseconds.
CREATE TABLE events (
	seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id         TEXT COLLATE "C" NOT NULL UNIQUE,
	created_at BIGINT NOT NULL,
	type       TEXT NOT NULL,
	doc        TEXT NOT NULL
);
