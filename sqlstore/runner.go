package sqlstore

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/sird-project/sird"
)

// The write runner (SQLite group commit).
//
// Write functions used to take the write turn (g.mu) on their callers'
// goroutines. Under load each hand-over of the turn cost a wake-up of the
// next caller's goroutine, about 25 µs on a busy 2-CPU machine, while the
// turn itself holds 80-90 µs of work per Write: a quarter of the single
// writer's time went to hand-overs. One goroutine of the store now runs the
// queued functions back to back, and callers wait for their own outcome.
//
//   - A panic in fn is recovered on the runner and raised again on the
//     caller's goroutine with the same value; runtime.Goexit (t.FailNow in
//     a test) ends the runner, which a new one replaces, and the caller
//     then calls runtime.Goexit itself. So both unwind the caller as they
//     would without the runner; only the panic's stack trace differs.
//   - Everything else is as before: each fn in its own savepoint, its
//     error to its caller only, acknowledgement after COMMIT and fsync.

// errStoreClosed answers Writes queued when the store closes.
var errStoreClosed = errors.New("sqlstore: store closed")

// writeReq is one Write waiting for, or in, its turn.
type writeReq struct {
	ctx context.Context
	ps  *preparedSet
	fn  func(sird.Tx) error

	// done is closed once err is final: at the end of the turn if fn did
	// not succeed, else by the group's commit, its loss or its fsync. The
	// caller wakes once, not once per step.
	done     chan struct{}
	err      error
	panicked bool
	panicVal any
	goexit   bool
}

// writeQueue holds the Writes waiting for the runner.
type writeQueue struct {
	mu      sync.Mutex
	items   []*writeReq
	closed  bool
	running bool          // a runner goroutine exists
	wake    chan struct{} // cap 1: items were added
	exited  chan struct{} // closed by the last runner after close
	queued  atomic.Int32  // len(items), read without mu by settle
}

func newWriteQueue() *writeQueue {
	return &writeQueue{wake: make(chan struct{}, 1), exited: make(chan struct{})}
}

// run queues fn and waits for its outcome: fn's error, or, if fn
// succeeded, that of the commit and fsync that acknowledge it.
func (g *groupCommit) run(ctx context.Context, ps *preparedSet, fn func(sird.Tx) error) error {
	req := &writeReq{ctx: ctx, ps: ps, fn: fn, done: make(chan struct{})}
	q := g.q
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return errStoreClosed
	}
	q.items = append(q.items, req)
	q.queued.Add(1)
	if !q.running {
		q.running = true
		go g.runner()
	}
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	<-req.done
	switch {
	case req.goexit:
		runtime.Goexit()
	case req.panicked:
		panic(req.panicVal)
	}
	return req.err
}

// ack makes err the outcome of req and wakes its caller.
func (req *writeReq) ack(err error) {
	req.err = err
	close(req.done)
}

// runner runs queued Writes until the queue is closed and empty.
func (g *groupCommit) runner() {
	q := g.q
	for {
		q.mu.Lock()
		if len(q.items) == 0 {
			if q.closed {
				q.running = false
				close(q.exited)
				q.mu.Unlock()
				return
			}
			q.mu.Unlock()
			<-q.wake
			continue
		}
		req := q.items[0]
		q.items[0] = nil
		q.items = q.items[1:]
		q.queued.Add(-1)
		q.mu.Unlock()
		if !g.serve(req) {
			return // fn called runtime.Goexit: serve started a new runner
		}
	}
}

// serve runs one Write's turn and reports whether the runner goes on.
func (g *groupCommit) serve(req *writeReq) (goOn bool) {
	returned := false
	defer func() {
		if returned {
			return
		}
		// fn panicked or called runtime.Goexit; turn's own defers have
		// already rolled its work back and released the turn.
		if r := recover(); r != nil {
			req.panicked, req.panicVal = true, r
			goOn = true
		} else {
			req.goexit = true
			go g.runner() // this goroutine ends: another takes over the queue
		}
		close(req.done)
	}()
	g.mu.Lock()
	err := g.turn(req)
	returned = true
	if err != nil {
		req.ack(err)
	} // else req waits in its group, which acknowledges it (group.go)
	return true
}

// closeRunner fails the Writes still queued and waits for the runner to
// finish the one it runs.
func (g *groupCommit) closeRunner() {
	q := g.q
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.closed = true
	left := q.items
	q.items = nil
	q.queued.Add(-int32(len(left)))
	running := q.running
	if !running {
		close(q.exited)
	}
	q.mu.Unlock()
	for _, req := range left {
		req.err = errStoreClosed
		close(req.done)
	}
	select {
	case q.wake <- struct{}{}:
	default:
	}
	<-q.exited
	// The last turn may have left its group open for Writes that were
	// queued behind it: commit it for the members waiting on it.
	g.commitOpen(true)
}
