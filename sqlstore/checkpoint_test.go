package sqlstore

import (
	"encoding/binary"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sird-project/sird"
)

// walCheckpointSeq reads the checkpoint sequence number from the WAL
// header, which grows by one each time the WAL restarts.
func walCheckpointSeq(t *testing.T, path string) uint32 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var hdr [16]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil {
		t.Fatalf("read WAL header: %v", err)
	}
	return binary.BigEndian.Uint32(hdr[12:])
}

// Under a steady stream of Writes, the WAL restarts each time it reaches
// restartFrames, although no write transaction ever begins on its own with
// every frame copied back, and the writer's own checkpoint is off.
func TestCheckpointerRestartsWALUnderSteadyWrites(t *testing.T) {
	s := freshSQLite(t)(t, Options{Migrate: true})
	s.group.ckpt.restartFrames = 64
	if _, err := s.w.ExecContext(t.Context(), "PRAGMA wal_autocheckpoint = 0"); err != nil {
		t.Fatal(err)
	}
	write(t, s, func(tx sird.Tx) error { return tx.InsertCase(smallTestCase(0)) })
	start := walCheckpointSeq(t, s.group.wal.path)

	const writers, wantRestarts = 8, 3
	var next, written atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				i := int(next.Add(1))
				if err := s.Write(t.Context(), func(tx sird.Tx) error { return tx.InsertCase(smallTestCase(i)) }); err != nil {
					t.Errorf("Write: %v", err)
					return
				}
				written.Add(1)
			}
		})
	}
	deadline := time.Now().Add(10 * time.Second)
	var got uint32
	for time.Now().Before(deadline) {
		if got = walCheckpointSeq(t, s.group.wal.path) - start; got >= wantRestarts {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if got < wantRestarts {
		t.Errorf("WAL restarts during %d writes: got %d, want at least %d", next.Load(), got, wantRestarts)
	}
	// Every acknowledged Write is there after the restarts.
	var n int64
	if err := s.r.QueryRowContext(t.Context(), "SELECT count(*) FROM cases").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if want := written.Load() + 1; n != want {
		t.Errorf("cases: got %d, want %d", n, want)
	}
}
