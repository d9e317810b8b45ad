-- Notification delivery (notify.Queue, see notify/QUEUE.md). Each event is
-- expanded once into one delivery per target (e-mail address or webhook);
-- deliveries are leased, retried with backoff, and end delivered or dead.
--
-- Events written before this migration keep expanded_ns NULL: the first
-- notifier to run delivers that backlog too, so nothing recorded is lost.

ALTER TABLE events ADD COLUMN expanded_ns INTEGER; -- NULL until expanded
CREATE INDEX events_unexpanded ON events (seq) WHERE expanded_ns IS NULL;

CREATE TABLE deliveries (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: `sird outbox retry ID` names them
	event_id   TEXT NOT NULL REFERENCES events (id),
	channel    TEXT NOT NULL,                      -- 'email' | 'webhook'
	target     TEXT NOT NULL,                      -- lowercase address | webhook name
	status     TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
	attempts   INTEGER NOT NULL,
	lease      INTEGER NOT NULL,                   -- fencing token, grows on every claim
	next_ns    INTEGER NOT NULL,                   -- due time; while claimed, lease expiry; 0 when dead
	last_error TEXT NOT NULL,
	created_ns INTEGER NOT NULL,
	updated_ns INTEGER NOT NULL,
	UNIQUE (event_id, channel, target)             -- makes expansion idempotent
) STRICT;
-- Claim: pending and due, per lane. Partial, so delivered rows cost nothing.
CREATE INDEX deliveries_due ON deliveries (channel, next_ns, id) WHERE status = 'pending';
CREATE INDEX deliveries_due_target ON deliveries (channel, target, next_ns, id) WHERE status = 'pending';
-- List by status, newest first.
CREATE INDEX deliveries_status ON deliveries (status, id);
