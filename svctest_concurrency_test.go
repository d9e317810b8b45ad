package sird_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sird-project/sird"
)

// TestConcurrentWatcherAdds: concurrent read-modify-write of one case loses
// no update.
func TestConcurrentWatcherAdds(t *testing.T) {
	e := newTestEnv(t)
	c := callerOf(acctMgmt)
	e.createMembership(t, c, false)
	id := e.createCase(t, c, nil) // starts with watcher@example.com
	const workers, rounds = 8, 3
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				errs <- e.svc.UpdateCase(e.ctx, c, &sird.UpdateCaseInput{
					CaseID:        id,
					WatchersToAdd: []sird.Watcher{{Email: fmt.Sprintf("g%d-r%d@example.com", w, r), Name: fmt.Sprint("worker ", w)}},
				})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		mustOK(t, err, "concurrent UpdateCase")
	}
	want := []string{"watcher@example.com"}
	for w := range workers {
		for r := range rounds {
			want = append(want, fmt.Sprintf("g%d-r%d@example.com", w, r))
		}
	}
	slices.Sort(want)
	var got []string
	for _, w := range e.getCase(t, c, id).Watchers {
		got = append(got, strings.ToLower(w.Email))
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("watchers after concurrent adds\n got %v\nwant %v", got, want)
	}
	edits, total := e.allEdits(t, c, id)
	if total != 1+workers*rounds || len(edits) != total {
		t.Errorf("history total %d, %d items; want %d", total, len(edits), 1+workers*rounds)
	}
	for i, ed := range edits {
		if ed.Seq != int64(i+1) {
			t.Errorf("edit %d has seq %d", i, ed.Seq)
		}
	}
}

// TestConcurrentCreateCaseSameToken: racing retries with one clientToken
// create one case, and every caller gets its ID.
func TestConcurrentCreateCaseSameToken(t *testing.T) {
	e := newTestEnv(t)
	c := callerOf(acctMgmt)
	e.createMembership(t, c, false)
	const workers = 8
	ids := make([]string, workers)
	errs := make([]error, workers)
	shared := newCaseInput("Raced")
	shared.ClientToken = "race-token"
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			in := shared // each goroutine's own copy of the same request
			if w%2 == 0 {
				in = newCaseInput("Raced")
				in.ClientToken = "race-token"
			}
			out, err := e.svc.CreateCase(e.ctx, c, in)
			errs[w] = err
			if err == nil {
				ids[w] = out.CaseID
			}
		}()
	}
	close(start)
	wg.Wait()
	for w := range workers {
		mustOK(t, errs[w], fmt.Sprint("CreateCase in goroutine ", w))
		if ids[w] != ids[0] {
			t.Errorf("goroutine %d got case %s, goroutine 0 got %s", w, ids[w], ids[0])
		}
	}
	list, err := e.svc.ListCases(e.ctx, c, &sird.ListInput{})
	mustOK(t, err, "ListCases")
	if list.Total != 1 || len(list.Items) != 1 || list.Items[0].CaseID != ids[0] {
		t.Errorf("ListCases total %d items %s; want the one case %s", list.Total, fmtList(list.Items), ids[0])
	}
}

// TestConcurrentCommentsSequentialIDs: concurrent comments get distinct,
// gap-free IDs.
func TestConcurrentCommentsSequentialIDs(t *testing.T) {
	e := newTestEnv(t)
	c := callerOf(acctMgmt)
	e.createMembership(t, c, false)
	id := e.createCase(t, c, nil)
	const workers, each = 8, 3
	var mu sync.Mutex
	var got []string
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				out, err := e.svc.CreateCaseComment(e.ctx, c, &sird.CreateCaseCommentInput{CaseID: id, Body: fmt.Sprint("from ", w)})
				if err != nil {
					t.Errorf("CreateCaseComment: %v", err)
					return
				}
				mu.Lock()
				got = append(got, out.CommentID)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	slices.Sort(got)
	var want []string
	for i := range workers * each {
		want = append(want, fmt.Sprintf("%06d", i+1))
	}
	if !slices.Equal(got, want) {
		t.Errorf("comment IDs %v, want %v", got, want)
	}
}
