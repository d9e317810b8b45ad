-- Notification delivery (notify.Queue, see notify/QUEUE.md). Each event is
-- expanded once into one delivery per target (e-mail address or webhook);
-- deliveries are leased (FOR UPDATE SKIP LOCKED, so each goes to one node),
-- retried with backoff, and end delivered or dead.
--
-- Events written before this migration keep expanded_ns NULL: the first
-- notifier to run delivers that backlog too, so nothing recorded is lost.

ALTER TABLE events ADD COLUMN expanded_ns BIGINT; -- NULL until expanded
CREATE INDEX events_unexpanded ON events (seq) WHERE expanded_ns IS NULL;

CREATE TABLE deliveries (
	id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	event_id   TEXT COLLATE "C" NOT NULL REFERENCES events (id),
	channel    TEXT COLLATE "C" NOT NULL,          -- 'email' | 'webhook'
	target     TEXT COLLATE "C" NOT NULL,          -- lowercase address | webhook name
	status     TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
	attempts   INTEGER NOT NULL,
	lease      BIGINT NOT NULL,                    -- fencing token, grows on every claim
	next_ns    BIGINT NOT NULL,                    -- due time; while claimed, lease expiry; 0 when dead
	last_error TEXT NOT NULL,
	created_ns BIGINT NOT NULL,
	updated_ns BIGINT NOT NULL,
	UNIQUE (event_id, channel, target)             -- makes expansion idempotent
);
CREATE INDEX deliveries_due ON deliveries (channel, next_ns, id) WHERE status = 'pending';
CREATE INDEX deliveries_due_target ON deliveries (channel, target, next_ns, id) WHERE status = 'pending';
CREATE INDEX deliveries_status ON deliveries (status, id);
