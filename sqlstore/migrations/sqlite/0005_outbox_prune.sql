-- Outbox retention (notify.Queue.Prune, see notify/QUEUE.md): finished
-- deliveries are found oldest first, so a prune reads the rows it
-- deletes, not the ones it keeps. The rowid (id) is the last column of
-- every SQLite index already. deliveries_finished is partial: pending
-- deliveries, which every claim updates, cost nothing in it. Events need
-- no index: Prune walks them in seq order (queue.go).
CREATE INDEX deliveries_finished ON deliveries (updated_ns) WHERE status <> 'pending';
