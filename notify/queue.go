package notify

import (
	"context"
	"errors"
	"time"

	"github.com/sird-project/sird"
)

// Channels.
const (
	ChannelEmail   = "email"
	ChannelWebhook = "webhook"
)

// Delivery states. Delivered and dead are terminal until an operator Retries
// (dead only) or Prune deletes them.
const (
	StatusPending   = "pending"
	StatusDelivered = "delivered"
	StatusDead      = "dead"
)

// ErrNotFound is returned by Retry when no dead delivery has the ID.
var ErrNotFound = errors.New("notify: no such dead delivery")

// ErrLeaseLost is returned by Fail when the delivery was claimed again
// (its lease expired) or finished meanwhile; the newer holder decides.
var ErrLeaseLost = errors.New("notify: delivery lease lost")

// Target is one place an event goes: an e-mail address or a webhook name.
type Target struct {
	Channel string
	Target  string
}

// Delivery is one event on its way to one target.
type Delivery struct {
	ID      int64
	EventID string
	Channel string
	Target  string // lowercase e-mail address or webhook name
	Status  string
	// Attempts counts the attempts started, the current one included: Claim
	// increments it, so a node dying mid-send still uses up an attempt.
	Attempts int
	// Lease is a fencing token that grows by one on every Claim and is never
	// reset; Fail only applies while it still matches.
	Lease       int64
	NextAttempt time.Time // when pending: due time; while claimed: lease expiry
	LastError   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Event       sird.Event // the outbox event, filled by Claim and List
}

// Lane selects the deliveries one pool of the worker claims, so a slow
// receiver only holds up its own lane: the worker runs one lane for e-mail
// (any address) and one per webhook endpoint. Deliveries to a channel or
// webhook that is no longer configured stay pending, visible in List, and
// resume if it comes back.
type Lane struct {
	Channel string
	Target  string // empty: any target of the channel
}

// Queue is the persistence the worker needs. Every method must be safe for
// concurrent use by several workers, on one node or many.
type Queue interface {
	// Expand takes up to n events not yet expanded, oldest first, and in one
	// transaction inserts a pending delivery (due now) for every target plan
	// returns and marks the events expanded. Inserting a delivery that
	// exists (same event, channel, target) is a no-op, so expansion is
	// idempotent. It returns how many events it expanded; fewer than n means
	// the backlog is empty. An event plan returns no targets for is still
	// marked expanded.
	Expand(ctx context.Context, now time.Time, n int, plan func(sird.Event) []Target) (int, error)

	// Claim leases up to n pending deliveries of the lane that are due
	// (NextAttempt <= now), choosing the earliest due (then lowest ID)
	// first, returned in any order: each gets Attempts+1, Lease+1 and
	// NextAttempt = now+lease, so no other worker claims it until the lease
	// expires. Concurrent Claims never return the same delivery. Event is
	// filled in.
	Claim(ctx context.Context, lane Lane, now time.Time, n int, lease time.Duration) ([]Delivery, error)

	// Complete marks the delivery delivered, whatever its lease or status:
	// it did arrive. Completing a delivered delivery is a no-op.
	Complete(ctx context.Context, d Delivery, now time.Time) error

	// Fail records a failed attempt: LastError = errText and, if dead, status
	// dead (next is then zero and need not be stored), otherwise pending
	// again, due at next. It applies only while the delivery is pending with
	// d.Lease; otherwise it returns ErrLeaseLost.
	Fail(ctx context.Context, d Delivery, now time.Time, errText string, next time.Time, dead bool) error

	// List returns up to limit deliveries with the status (empty: any),
	// newest first, Event filled in.
	List(ctx context.Context, status string, limit int) ([]Delivery, error)

	// Retry revives a dead delivery: pending, Attempts 0, due now; Lease is
	// kept, it only ever grows. It returns ErrNotFound unless the delivery
	// exists and is dead.
	Retry(ctx context.Context, id int64, now time.Time) error

	// Prune deletes, in one transaction, up to n rows the outbox no longer
	// needs: deliveries delivered or dead whose UpdatedAt is before before,
	// then events created before before that have no deliveries left,
	// expanded or not. An event never expanded and that old was written
	// while notifications were off, or failed to expand: sending it that
	// late serves nobody. Events are taken in the order they were written,
	// up to the first one created at or after before: an old event written
	// after a newer one (the clock stepped back) may wait for a later
	// Prune. Pending deliveries are never deleted, however old, and their
	// events stay. It returns the number of rows deleted,
	// deliveries and events together; fewer than n means nothing more is
	// due. Deleting is idempotent, so any number of nodes may prune at once.
	Prune(ctx context.Context, before time.Time, n int) (int, error)
}
