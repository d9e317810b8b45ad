package sqlstore

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// Background WAL checkpoints (SQLite).
//
// A checkpoint copies the pages committed to the WAL back into the database
// file and syncs both. Left to SQLite, the commit that crosses
// wal_autocheckpoint runs it, inside the write turn, so every Write waiting
// for that turn waits for it too. Instead a connection of its own runs a
// PASSIVE checkpoint (which never blocks the writer or the readers) shortly
// after commits, and the writer's own automatic checkpoint stays only as a
// backstop at a much larger WAL (writerAutoCheckpoint pages).
//
// The WAL starts over from its first frame only when a write transaction
// begins with every frame already copied back. Under a steady stream of
// commits a background checkpoint never gets there (the writer appends
// while it copies), so the WAL grew to the backstop, whose checkpoint
// copied up to a whole interval's frames inside a COMMIT: 10-30 ms with
// every Write waiting, several times a second at 10,000 pages. Now, once
// the WAL holds restartFrames, the checkpointer copies what the writer
// appended meanwhile, then holds the write turn (no group open) while it
// copies the last few commits' frames, so the next write transaction
// restarts the WAL. That pause (5-15 ms under a create-only load: two
// fsyncs, and the copy waits for a CPU) comes once per restartFrames
// pages. Nothing waits for readers: one still on an older snapshot only
// puts the restart off to a later round.

const (
	// checkpointEvery spaces background checkpoints while writes go on: each
	// copies every page written since the last one, once, so a page that
	// several commits changed meanwhile (an index leaf, the end of a table)
	// is copied once. Under a create-only load, 500 ms took 5% less server
	// CPU per create than 100 ms; a mixed load did not tell them apart.
	checkpointEvery = 500 * time.Millisecond
	// writerAutoCheckpoint is the writer's wal_autocheckpoint, in pages
	// (4 KiB): reached only if the background checkpoints fall behind.
	writerAutoCheckpoint = 2 * walRestartFrames
	// walRestartFrames is the WAL size, in frames (4 KiB pages), from which
	// the checkpointer makes the WAL restart: the larger, the rarer the
	// pause, and the larger the WAL file stays (SQLite reuses it, it does
	// not shrink it). At 10,000 creates/s the WAL grows about 100 MB/s.
	walRestartFrames = 32768
)

type checkpointer struct {
	db   *sql.DB
	kick chan struct{}

	// quiesce runs its argument holding the write turn with no group
	// open (groupCommit.quiesce).
	quiesce       func(func())
	restartFrames int64 // walRestartFrames; tests lower it

	mu         sync.Mutex
	background // from the first commit on
}

func newCheckpointer(db *sql.DB, quiesce func(func())) *checkpointer {
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	return &checkpointer{db: db, kick: make(chan struct{}, 1), quiesce: quiesce, restartFrames: walRestartFrames, background: newBackground()}
}

// committed tells the checkpointer that the WAL grew. It never blocks.
func (c *checkpointer) committed() {
	c.mu.Lock()
	c.startLocked(c.run)
	c.mu.Unlock()
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	defer close(c.done)
	ctx := context.Background()
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		}
		if frames, _ := c.checkpoint(ctx); frames >= c.restartFrames {
			c.restart(ctx)
		}
		t.Reset(checkpointEvery)
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
	}
}

// restart makes the next write transaction restart the WAL: it copies
// what the writer appended during the last checkpoint, then, holding the
// write turn, the little appended since. If readers held back the copy,
// it leaves the turn alone rather than copy much while holding it.
func (c *checkpointer) restart(ctx context.Context) {
	frames, copied := c.checkpoint(ctx)
	if frames-copied > c.restartFrames/8 {
		return
	}
	c.quiesce(func() { c.checkpoint(ctx) })
}

// checkpoint runs a PASSIVE checkpoint and returns the frames in the WAL
// and how many of them are now copied to the database file. A failure
// (another process holding the checkpoint lock, say) is harmless: the next
// round, or the writer's backstop, catches up.
func (c *checkpointer) checkpoint(ctx context.Context) (frames, copied int64) {
	var busy int64
	if err := c.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied); err != nil {
		return 0, 0
	}
	return frames, copied
}

// close stops the goroutine and closes the connection; it may be called
// more than once.
func (c *checkpointer) close() error {
	if !c.shutdown(&c.mu) {
		return nil
	}
	return c.db.Close()
}
