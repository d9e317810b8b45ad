-- Outbox retention (notify.Queue.Prune, see notify/QUEUE.md): finished
-- deliveries and old events are found oldest first, so a prune reads the
-- rows it deletes, not the ones it keeps. The rowid (id, seq) is the last
-- column of every SQLite index already. deliveries_finished is partial:
-- pending deliveries, which every claim updates, cost nothing in it.
CREATE INDEX deliveries_finished ON deliveries (updated_ns) WHERE status <> 'pending';
CREATE INDEX events_created ON events (created_at);
