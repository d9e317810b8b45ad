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

const (
	// checkpointEvery spaces background checkpoints while writes go on: each
	// copies every page written since the last one, once.
	checkpointEvery = 100 * time.Millisecond
	// writerAutoCheckpoint is the writer's wal_autocheckpoint, in pages
	// (4 KiB): reached only if the background checkpoints fall behind.
	writerAutoCheckpoint = 10000
)

type checkpointer struct {
	db   *sql.DB
	kick chan struct{}

	mu         sync.Mutex
	background // from the first commit on
}

func newCheckpointer(db *sql.DB) *checkpointer {
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	return &checkpointer{db: db, kick: make(chan struct{}, 1), background: newBackground()}
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
		// A failure (another process holding the checkpoint lock, say) is
		// harmless: the next one, or the writer's backstop, catches up.
		_, _ = c.db.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
		t.Reset(checkpointEvery)
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
	}
}

// close stops the goroutine and closes the connection; it may be called
// more than once.
func (c *checkpointer) close() error {
	if !c.shutdown(&c.mu) {
		return nil
	}
	return c.db.Close()
}
