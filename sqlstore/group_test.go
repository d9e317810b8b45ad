package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sird-project/sird"
)

// Group commit: concurrent Writes share transactions, and each keeps its
// own outcome.

// gate holds every writer until all have started, so they pile up on the
// write turn and share transactions.
func startTogether(n int, fn func(i int)) {
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			fn(i)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
}

var errFnFailed = errors.New("fn failed on purpose")

func TestGroupCommitOutcomes(t *testing.T) {
	s := freshSQLite(t)(t, Options{Migrate: true})
	const n = 200
	errs := make([]error, n)
	panics := make([]any, n)
	startTogether(n, func(i int) {
		defer func() { panics[i] = recover() }()
		errs[i] = s.Write(t.Context(), func(tx sird.Tx) error {
			if err := tx.InsertCase(smallTestCase(i)); err != nil {
				return err
			}
			switch i % 10 {
			case 3:
				return fmt.Errorf("case %d: %w", i, errFnFailed)
			case 7:
				panic(fmt.Sprintf("boom %d", i))
			}
			return nil
		})
	})
	for i := range n {
		var wantErr error
		var wantPanic any
		switch i % 10 {
		case 3:
			wantErr = errFnFailed
		case 7:
			wantPanic = fmt.Sprintf("boom %d", i)
		}
		if !errors.Is(errs[i], wantErr) || (wantErr == nil && errs[i] != nil) {
			t.Errorf("Write %d: got error %v, want %v", i, errs[i], wantErr)
		}
		if panics[i] != wantPanic {
			t.Errorf("Write %d: got panic %v, want %v", i, panics[i], wantPanic)
		}
	}
	var stored int64
	read(t, s, func(tx sird.Tx) error {
		for i := range n {
			_, err := tx.GetCase(testAccount, testRegion, caseID(i), false)
			switch ok := i%10 != 3 && i%10 != 7; {
			case ok && err != nil:
				t.Errorf("case %d: %v, want it stored", i, err)
			case !ok && !errors.Is(err, sird.ErrNotExist):
				t.Errorf("case %d: got %v, want not found (its fn failed)", i, err)
			}
		}
		var err error
		stored, err = tx.CountCases(testAccount, testRegion)
		return err
	})
	if want := int64(n - 2*n/10); stored != want {
		t.Errorf("CountCases: got %d, want %d", stored, want)
	}
	commits, grouped := s.group.commits.Load(), s.group.grouped.Load()
	t.Logf("%d successful Writes in %d commits", grouped, commits)
	if grouped != int64(n-2*n/10) {
		t.Errorf("grouped Writes: got %d, want %d", grouped, n-2*n/10)
	}
	if commits >= grouped {
		t.Errorf("got %d commits for %d Writes: nothing was grouped", commits, grouped)
	}
}

// A fn sees what the fns before it in the same transaction wrote, as if the
// Writes had run one after the other: read-modify-write stays exact.
func TestGroupCommitSerializes(t *testing.T) {
	s := freshSQLite(t)(t, Options{Migrate: true})
	write(t, s, func(tx sird.Tx) error { return tx.InsertCase(smallTestCase(0)) })
	const n = 100
	startTogether(n, func(i int) {
		err := s.Write(t.Context(), func(tx sird.Tx) error {
			c, err := tx.GetCase(testAccount, testRegion, caseID(0), true)
			if err != nil {
				return err
			}
			c.EditCount++
			if i%4 == 0 {
				if err := tx.UpdateCase(c); err != nil {
					return err
				}
				return errFnFailed // rolled back: its increment must not count
			}
			return tx.UpdateCase(c)
		})
		if (i%4 == 0) != errors.Is(err, errFnFailed) || (i%4 != 0 && err != nil) {
			t.Errorf("Write %d: %v", i, err)
		}
	})
	read(t, s, func(tx sird.Tx) error {
		c, err := tx.GetCase(testAccount, testRegion, caseID(0), false)
		if err != nil {
			return err
		}
		if want := n - n/4; c.EditCount != want {
			t.Errorf("EditCount: got %d, want %d", c.EditCount, want)
		}
		return nil
	})
}

// When SQLite abandons the transaction (simulated by a fn that ends it
// behind the store's back), the fns that had succeeded in it run again and
// their Writes still succeed; nothing is applied twice.
func TestGroupCommitLostTransaction(t *testing.T) {
	s := freshSQLite(t)(t, Options{Migrate: true})
	const n = 60
	var runs [n]atomic.Int32
	var sabotaged atomic.Bool
	startTogether(n, func(i int) {
		err := s.Write(t.Context(), func(stx sird.Tx) error {
			runs[i].Add(1)
			if err := stx.InsertCase(smallTestCase(i)); err != nil {
				return err
			}
			if i == n/2 && sabotaged.CompareAndSwap(false, true) {
				// What an I/O error does: the transaction is gone.
				if _, err := stx.(*tx).tx.ExecContext(context.Background(), "ROLLBACK"); err != nil {
					t.Errorf("ROLLBACK: %v", err)
				}
			}
			return nil
		})
		if err != nil {
			t.Errorf("Write %d: %v", i, err)
		}
	})
	rerun := 0
	for i := range n {
		if runs[i].Load() > 1 {
			rerun++
		}
	}
	t.Logf("%d of %d fns ran again", rerun, n)
	if runs[n/2].Load() != 2 {
		t.Errorf("the fn whose transaction was lost ran %d times, want 2", runs[n/2].Load())
	}
	read(t, s, func(tx sird.Tx) error {
		got, err := tx.CountCases(testAccount, testRegion)
		if err != nil {
			return err
		}
		if got != n {
			t.Errorf("CountCases: got %d, want %d (each case once)", got, n)
		}
		return nil
	})
}

// A Write whose context ends before its turn does nothing.
func TestGroupCommitCanceled(t *testing.T) {
	s := freshSQLite(t)(t, Options{Migrate: true})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	ran := false
	err := s.Write(ctx, func(tx sird.Tx) error { ran = true; return nil })
	if !errors.Is(err, context.Canceled) || ran {
		t.Errorf("Write with a canceled context: got %v (fn ran: %v), want context.Canceled", err, ran)
	}
	// The store goes on.
	write(t, s, func(tx sird.Tx) error { return tx.InsertCase(smallTestCase(1)) })
}

// A fn that fails halfway keeps the group's other work, and the store stays
// usable after a fn leaves through runtime.Goexit (t.FailNow in a test).
func TestGroupCommitGoexit(t *testing.T) {
	s := freshSQLite(t)(t, Options{Migrate: true})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Write(t.Context(), func(tx sird.Tx) error {
			_ = tx.InsertCase(smallTestCase(1))
			runtime.Goexit()
			return nil
		})
	}()
	<-done
	write(t, s, func(tx sird.Tx) error { return tx.InsertCase(smallTestCase(2)) })
	read(t, s, func(tx sird.Tx) error {
		if _, err := tx.GetCase(testAccount, testRegion, caseID(1), false); !errors.Is(err, sird.ErrNotExist) {
			t.Errorf("case of the fn that exited: got %v, want not found", err)
		}
		_, err := tx.GetCase(testAccount, testRegion, caseID(2), false)
		return err
	})
}

// Every successful Write returns after an fsync of the WAL that started
// after its fn ran (so after its COMMIT) has finished, however many Writes
// share the commits and the fsyncs.
func TestGroupCommitAcknowledgesAfterSync(t *testing.T) {
	for _, writers := range []int{1, 16, 64} {
		t.Run(fmt.Sprintf("writers=%d", writers), func(t *testing.T) {
			s := freshSQLite(t)(t, Options{Migrate: true})
			before := s.WriteStats()
			var started, finished atomic.Int64 // fsyncs started; the number of the last one finished
			s.group.wal.setSyncFn(func(f *os.File) error {
				n := started.Add(1)
				err := f.Sync()
				finished.Store(n)
				return err
			})
			startTogether(writers, func(i int) {
				var seen int64
				err := s.Write(t.Context(), func(tx sird.Tx) error {
					seen = started.Load()
					return tx.InsertCase(smallTestCase(i))
				})
				if err != nil {
					t.Errorf("Write %d: %v", i, err)
					return
				}
				if got := finished.Load(); got <= seen {
					t.Errorf("Write %d returned after fsync %d, which started before its fn (fsyncs started then: %d)", i, got, seen)
				}
			})
			st := s.WriteStats()
			syncs, commits, writes := st.Syncs-before.Syncs, st.Commits-before.Commits, st.Writes-before.Writes
			t.Logf("%d Writes, %d commits, %d fsyncs", writes, commits, syncs)
			if syncs != started.Load() {
				t.Errorf("WriteStats.Syncs: got %d more, want %d", syncs, started.Load())
			}
			if syncs < 1 || syncs > commits || st.SyncTime <= 0 || st.WritesPerSync < 1 {
				t.Errorf("WriteStats: %d fsyncs for %d commits, %v in fsync, %.1f Writes per fsync", syncs, commits, st.SyncTime, st.WritesPerSync)
			}
		})
	}
}

// Whatever the fsync takes, no Write is left waiting in a group nobody
// commits: groups left open while the syncer is busy are committed by it.
func TestGroupCommitNoStrandedWrites(t *testing.T) {
	for _, tc := range []struct {
		name  string
		delay time.Duration // added to each fsync
	}{
		{"fast fsync", 0},
		{"jittery fsync", 300 * time.Microsecond},
		{"slow fsync", 3 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := freshSQLite(t)(t, Options{Migrate: true})
			var n atomic.Int64
			s.group.wal.setSyncFn(func(f *os.File) error {
				if tc.delay > 0 {
					time.Sleep(time.Duration(n.Add(1)%3) * tc.delay / 2)
				}
				return f.Sync()
			})
			const writers, each = 24, 10
			done := make(chan struct{})
			go func() {
				defer close(done)
				startTogether(writers, func(i int) {
					for j := range each {
						if err := s.Write(t.Context(), insertCase(i*each+j)); err != nil {
							t.Errorf("Write %d/%d: %v", i, j, err)
						}
					}
				})
			}()
			select {
			case <-done:
			case <-time.After(60 * time.Second):
				t.Fatal("Writes still waiting after 60s")
			}
			read(t, s, func(tx sird.Tx) error {
				got, err := tx.CountCases(testAccount, testRegion)
				if err == nil && got != writers*each {
					t.Errorf("CountCases: got %d, want %d", got, writers*each)
				}
				return err
			})
			st := s.WriteStats()
			t.Logf("%d Writes, %d commits, %d fsyncs", st.Writes, st.Commits, st.Syncs)
		})
	}
}

const (
	testAccount = "123456789012"
	testRegion  = "us-east-1"
)

func caseID(i int) string { return fmt.Sprintf("%010d", 1000000000+i) }

func smallTestCase(i int) *sird.Case {
	c := benchCase(i)
	c.AccountID, c.Region = testAccount, testRegion
	return c
}

func write(t *testing.T, s *Store, fn func(sird.Tx) error) {
	t.Helper()
	if err := s.Write(t.Context(), fn); err != nil {
		t.Fatalf("Write: %v", err)
	}
}

func read(t *testing.T, s *Store, fn func(sird.Tx) error) {
	t.Helper()
	if err := s.Read(t.Context(), fn); err != nil {
		t.Fatalf("Read: %v", err)
	}
}

// Close may be called more than once, after writes started the background
// checkpoints or before.
func TestSQLiteCloseTwice(t *testing.T) {
	for _, wrote := range []bool{false, true} {
		s := freshSQLite(t)(t, Options{Migrate: true})
		if wrote {
			write(t, s, func(tx sird.Tx) error { return tx.InsertCase(smallTestCase(1)) })
		}
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	}
}

// The writer keeps savepoint journals in memory and leaves checkpoints to
// the background; readers keep small page caches.
func TestSQLiteWriterPragmas(t *testing.T) {
	s := freshSQLite(t)(t, Options{Migrate: true})
	if got := pragma(t, s.w, "temp_store"); got != "2" {
		t.Errorf("writer temp_store: got %s, want 2 (MEMORY)", got)
	}
	if got := pragma(t, s.w, "wal_autocheckpoint"); got != fmt.Sprint(writerAutoCheckpoint) {
		t.Errorf("writer wal_autocheckpoint: got %s, want %d", got, writerAutoCheckpoint)
	}
	if got := pragma(t, s.r, "cache_size"); got != "-512" {
		t.Errorf("reader cache_size: got %s, want -512 (KiB)", got)
	}
}
