package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/notify"
)

// The notification queue (notify.Queue) over the outbox: the SQL of
// notify/QUEUE.md. Its statements are not declared with def: four of them
// take FOR UPDATE SKIP LOCKED on PostgreSQL only, inside the statement,
// which the shared rewriting does not express. They run on the
// transactions of Write and Read, so they get the same retries and error
// mapping as the rest of the store.

// Queue returns the store's notification delivery queue. It is safe for
// concurrent use by any number of workers, on one node or (PostgreSQL)
// many: each due delivery is leased to one of them at a time.
func (s *Store) Queue() notify.Queue {
	skip := ""
	if s.d.name == postgresDialect.name {
		skip = " FOR UPDATE SKIP LOCKED"
	}
	q := func(text string) string { return s.d.rewrite(strings.ReplaceAll(text, "{skip}", skip)) }
	return &queue{
		s:             s,
		unexpanded:    q(qsUnexpanded),
		insert:        q(qsInsertDelivery),
		markExpanded:  q(qsMarkExpanded),
		anyUnexpanded: q(qsAnyUnexpanded),
		anyDue:        q(fmt.Sprintf(qsAnyDue, "")),
		anyDueTarget:  q(fmt.Sprintf(qsAnyDue, " AND target = ?")),
		claimAny:      q(fmt.Sprintf(qsClaim, "")),
		claimTarget:   q(fmt.Sprintf(qsClaim, " AND target = ?")),
		complete:      q(qsComplete),
		fail:          q(qsFail),
		listAll:       q(fmt.Sprintf(qsList, "")),
		listStatus:    q(fmt.Sprintf(qsList, "WHERE d.status = ? ")),
		retry:         q(qsRetry),
		pruneDone:     q(qsPruneDeliveries),
		pruneEvents:   q(qsPruneEvents),
	}
}

const (
	// Cheap checks on a reader before the write transactions below, so an
	// idle notifier polling costs one indexed read per lane and never takes
	// the write lock (SQLite's only writer) for nothing.
	qsAnyUnexpanded = `SELECT seq FROM events WHERE expanded_ns IS NULL LIMIT 1`
	qsAnyDue        = `SELECT id FROM deliveries WHERE status = 'pending' AND channel = ?%s AND next_ns <= ? LIMIT 1`

	// Expand. PostgreSQL skips events another node is expanding.
	qsUnexpanded     = `SELECT seq, doc FROM events WHERE expanded_ns IS NULL ORDER BY seq LIMIT ?{skip}`
	qsInsertDelivery = `INSERT INTO deliveries (event_id, channel, target, status, attempts, lease, next_ns, last_error, created_ns, updated_ns)
VALUES (?, ?, ?, 'pending', 0, 0, ?, '', ?, ?)
ON CONFLICT (event_id, channel, target) DO NOTHING`
	qsMarkExpanded = `UPDATE events SET expanded_ns = ? WHERE seq = ?`

	deliveryColumns = `id, event_id, channel, target, status, attempts, lease, next_ns, last_error, created_ns, updated_ns`

	// Claim; %s is the target condition of a webhook lane.
	qsClaim = `UPDATE deliveries
SET attempts = attempts + 1, lease = lease + 1, next_ns = ?, updated_ns = ?
WHERE id IN (
	SELECT id FROM deliveries
	WHERE status = 'pending' AND channel = ?%s AND next_ns <= ?
	ORDER BY next_ns, id
	LIMIT ?{skip}
)
RETURNING ` + deliveryColumns + `, (SELECT doc FROM events WHERE events.id = deliveries.event_id)`

	qsComplete = `UPDATE deliveries SET status = 'delivered', last_error = '', updated_ns = ?
WHERE id = ? AND status <> 'delivered'`
	qsFail = `UPDATE deliveries SET status = ?, last_error = ?, next_ns = ?, updated_ns = ?
WHERE id = ? AND lease = ? AND status = 'pending'`

	// List; %s is the status condition.
	qsList = `SELECT d.id, d.event_id, d.channel, d.target, d.status, d.attempts, d.lease, d.next_ns, d.last_error,
	d.created_ns, d.updated_ns, e.doc
FROM deliveries d JOIN events e ON e.id = d.event_id
%sORDER BY d.id DESC
LIMIT ?`

	qsRetry = `UPDATE deliveries SET status = 'pending', attempts = 0, next_ns = ?, updated_ns = ?
WHERE id = ? AND status = 'dead'`

	// Prune: finished deliveries, then events left without any, oldest
	// first. Deliveries go through deliveries_finished (migration 0005).
	// Events have no index on created_at, which every case change would
	// pay for: they are walked in seq order, which is their write order,
	// up to the first one written at or after the cutoff (the inner
	// SELECT's bound), so a prune reads the old events, not the kept ones.
	// A clock that stepped back only leaves an old event for a later
	// prune: created_at < cutoff is checked on every row deleted.
	//
	// On PostgreSQL the inner SELECTs lock the rows they pick and skip
	// those another node is pruning; a row changed since the statement
	// began is checked again as it now is, so a dead delivery an operator
	// just retried is pending and stays.
	qsPruneDeliveries = `DELETE FROM deliveries WHERE id IN (
	SELECT id FROM deliveries
	WHERE status <> 'pending' AND updated_ns < ?
	ORDER BY updated_ns, id
	LIMIT ?{skip}
)`
	// An event a concurrent Expand (another node) gives deliveries between
	// this statement's snapshot and its delete fails the foreign key of
	// deliveries, and the prune rolls back whole: nothing is lost, the
	// next prune goes on.
	qsPruneEvents = `DELETE FROM events WHERE seq IN (
	SELECT seq FROM events
	WHERE seq < coalesce((SELECT seq FROM events WHERE created_at >= ? ORDER BY seq LIMIT 1), 9223372036854775807)
	AND created_at < ? AND NOT EXISTS (SELECT 1 FROM deliveries WHERE deliveries.event_id = events.id)
	ORDER BY seq
	LIMIT ?{skip}
)`

	qsBacklog = `SELECT count(*) FROM events WHERE expanded_ns IS NULL`
)

type queue struct {
	s *Store
	// Statement texts in the store's dialect.
	anyUnexpanded, anyDue, anyDueTarget string
	unexpanded, insert, markExpanded    string
	claimAny, claimTarget               string
	complete, fail                      string
	listAll, listStatus                 string
	retry                               string
	pruneDone, pruneEvents              string
}

var _ notify.Queue = (*queue)(nil)

// write runs fn on the *sql.Tx of a Write: retried on serialization
// failures, errors mapped like every other store call.
func (q *queue) write(ctx context.Context, fn func(*tx) error) error {
	return q.s.Write(ctx, func(t sird.Tx) error { return fn(t.(*tx)) })
}

func (q *queue) read(ctx context.Context, fn func(*tx) error) error {
	return q.s.Read(ctx, func(t sird.Tx) error { return fn(t.(*tx)) })
}

// queueExec runs a queue statement and returns the rows it changed.
func (t *tx) queueExec(query string, args ...any) (int64, error) {
	if err := t.check(); err != nil {
		return 0, err
	}
	res, err := t.tx.ExecContext(t.ctx, query, args...)
	if err != nil {
		return 0, t.queueErr(query, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, t.queueErr(query, err)
	}
	return n, nil
}

func (t *tx) queueQuery(query string, args ...any) (*sql.Rows, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	rows, err := t.tx.QueryContext(t.ctx, query, args...)
	if err != nil {
		return nil, t.queueErr(query, err)
	}
	return rows, nil
}

func (t *tx) queueErr(query string, err error) error {
	return t.s.d.mapErr(fmt.Errorf("sqlstore: %s: %w", firstLine(query), err))
}

// exists runs a LIMIT 1 query on a reader, outside any transaction.
func (q *queue) exists(ctx context.Context, query string, args ...any) (bool, error) {
	var x int64
	err := q.s.r.QueryRowContext(ctx, query, args...).Scan(&x)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, unavailable(q.s.d.mapErr(fmt.Errorf("sqlstore: %s: %w", firstLine(query), err)))
	}
	return true, nil
}

func (q *queue) Expand(ctx context.Context, now time.Time, n int, plan func(sird.Event) []notify.Target) (int, error) {
	if n <= 0 {
		return 0, nil
	}
	if ok, err := q.exists(ctx, q.anyUnexpanded); err != nil || !ok {
		return 0, err
	}
	var count int
	err := q.write(ctx, func(t *tx) error {
		count = 0
		rows, err := t.queueQuery(q.unexpanded, n)
		if err != nil {
			return err
		}
		type row struct {
			seq int64
			doc []byte
		}
		var evs []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.seq, &r.doc); err != nil {
				rows.Close()
				return t.queueErr(q.unexpanded, err)
			}
			evs = append(evs, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return t.queueErr(q.unexpanded, err)
		}
		ns := now.UnixNano()
		for _, r := range evs {
			var e sird.Event
			if err := json.Unmarshal(r.doc, &e); err != nil {
				// Never skipped silently: the event stays unexpanded and
				// the error names it, for an operator to repair.
				return fmt.Errorf("sqlstore: outbox event seq %d: %w", r.seq, err)
			}
			for _, tg := range plan(e) {
				if _, err := t.queueExec(q.insert, e.ID, tg.Channel, tg.Target, ns, ns, ns); err != nil {
					return err
				}
			}
			if _, err := t.queueExec(q.markExpanded, ns, r.seq); err != nil {
				return err
			}
		}
		count = len(evs)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return count, nil
}

func (q *queue) Claim(ctx context.Context, lane notify.Lane, now time.Time, n int, lease time.Duration) ([]notify.Delivery, error) {
	if n <= 0 {
		return nil, nil
	}
	nowNS := now.UnixNano()
	query, args := q.claimAny, []any{now.Add(lease).UnixNano(), nowNS, lane.Channel}
	check, checkArgs := q.anyDue, []any{lane.Channel}
	if lane.Target != "" {
		query, args = q.claimTarget, append(args, lane.Target)
		check, checkArgs = q.anyDueTarget, append(checkArgs, lane.Target)
	}
	args = append(args, nowNS, n)
	if ok, err := q.exists(ctx, check, append(checkArgs, nowNS)...); err != nil || !ok {
		return nil, err
	}
	var out []notify.Delivery
	err := q.write(ctx, func(t *tx) error {
		out = out[:0]
		rows, err := t.queueQuery(query, args...)
		if err != nil {
			return err
		}
		out, err = scanDeliveries(rows)
		if err != nil {
			return t.queueErr(query, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (q *queue) Complete(ctx context.Context, d notify.Delivery, now time.Time) error {
	return q.write(ctx, func(t *tx) error {
		_, err := t.queueExec(q.complete, now.UnixNano(), d.ID)
		return err // no row: it was delivered already
	})
}

func (q *queue) Fail(ctx context.Context, d notify.Delivery, now time.Time, errText string, next time.Time, dead bool) error {
	status, nextNS := notify.StatusPending, next.UnixNano()
	if dead {
		status, nextNS = notify.StatusDead, 0
	}
	return q.write(ctx, func(t *tx) error {
		n, err := t.queueExec(q.fail, status, errText, nextNS, now.UnixNano(), d.ID, d.Lease)
		if err != nil {
			return err
		}
		if n == 0 {
			return notify.ErrLeaseLost
		}
		return nil
	})
}

func (q *queue) List(ctx context.Context, status string, limit int) ([]notify.Delivery, error) {
	if limit <= 0 || limit > noLimit {
		limit = noLimit
	}
	query, args := q.listAll, []any{limit}
	if status != "" {
		query, args = q.listStatus, []any{status, limit}
	}
	var out []notify.Delivery
	err := q.read(ctx, func(t *tx) error {
		rows, err := t.queueQuery(query, args...)
		if err != nil {
			return err
		}
		out, err = scanDeliveries(rows)
		if err != nil {
			return t.queueErr(query, err)
		}
		return nil
	})
	return out, err
}

func (q *queue) Retry(ctx context.Context, id int64, now time.Time) error {
	ns := now.UnixNano()
	return q.write(ctx, func(t *tx) error {
		n, err := t.queueExec(q.retry, ns, ns, id)
		if err != nil {
			return err
		}
		if n == 0 {
			return notify.ErrNotFound
		}
		return nil
	})
}

func (q *queue) Prune(ctx context.Context, before time.Time, n int) (int, error) {
	if n <= 0 {
		return 0, nil
	}
	ns := before.UnixNano()
	var count int64
	err := q.write(ctx, func(t *tx) error {
		// Deliveries first: the events they free go in the same call.
		ds, err := t.queueExec(q.pruneDone, ns, n)
		if err != nil {
			return err
		}
		count = ds
		if left := int64(n) - ds; left > 0 {
			es, err := t.queueExec(q.pruneEvents, ns, ns, left)
			if err != nil {
				return err
			}
			count += es
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return int(count), nil
}

// scanDeliveries reads rows of deliveryColumns followed by the event doc.
func scanDeliveries(rows *sql.Rows) ([]notify.Delivery, error) {
	defer rows.Close()
	var out []notify.Delivery
	for rows.Next() {
		var (
			d                          notify.Delivery
			nextNS, createdNS, updated int64
			doc                        []byte
		)
		if err := rows.Scan(&d.ID, &d.EventID, &d.Channel, &d.Target, &d.Status, &d.Attempts, &d.Lease,
			&nextNS, &d.LastError, &createdNS, &updated, &doc); err != nil {
			return nil, err
		}
		if nextNS != 0 {
			d.NextAttempt = time.Unix(0, nextNS).UTC()
		}
		d.CreatedAt, d.UpdatedAt = time.Unix(0, createdNS).UTC(), time.Unix(0, updated).UTC()
		if err := json.Unmarshal(doc, &d.Event); err != nil {
			return nil, fmt.Errorf("event %s of delivery %d: %w", d.EventID, d.ID, err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// OutboxBacklog counts the outbox events not yet expanded into deliveries:
// with no notifier configured, every event stays here.
func (s *Store) OutboxBacklog(ctx context.Context) (int64, error) {
	var n int64
	err := s.Read(ctx, func(st sird.Tx) error {
		t := st.(*tx)
		if err := t.check(); err != nil {
			return err
		}
		if err := t.tx.QueryRowContext(t.ctx, qsBacklog).Scan(&n); err != nil {
			return t.queueErr(qsBacklog, err)
		}
		return nil
	})
	return n, err
}
