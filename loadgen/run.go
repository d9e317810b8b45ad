package loadgen

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Run prepares server state (membership, case pool), runs the warmup and
// the measured phase, and returns the report. If ctx is cancelled during
// the measurement, Run returns the partial report together with ctx's error.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	s, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	c := newClient(s)
	defer c.close()
	t := &target{
		base:        s.base.String(),
		baselineURL: s.BaselineURL,
		bodies:      newBodies(time.Now()),
	}
	if err := setup(ctx, s, c, t); err != nil {
		return nil, err
	}
	return measure(ctx, s, c, t)
}

// phase is the shared, read-only description of the measured run plus the
// one counter workers contend on in fixed-count mode.
type phase struct {
	client   *client
	target   *target
	picker   picker
	t0       time.Time // end of warmup: requests started before it are not counted
	deadline time.Time // zero when only Requests bounds the run
	requests int64
	tickets  atomic.Int64
}

func measure(ctx context.Context, s *settings, c *client, t *target) (*Report, error) {
	start := time.Now()
	p := &phase{
		client:   c,
		target:   t,
		picker:   newPicker(s.weights),
		t0:       start.Add(s.Warmup),
		requests: int64(s.Requests),
	}
	if s.Duration > 0 {
		p.deadline = p.t0.Add(s.Duration)
	}
	workers := make([]*worker, s.Workers)
	for i := range workers {
		workers[i] = newWorker(s.weights)
	}
	stopProgress := startProgress(s.Progress, workers, start, p.t0)
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() { w.run(ctx, p) })
	}
	wg.Wait()
	stopProgress()

	end := p.t0
	for _, w := range workers {
		if w.end.After(end) {
			end = w.end
		}
	}
	rep := buildReport(workers, s.weights, end.Sub(p.t0))
	return rep, ctx.Err()
}

// worker owns everything it writes during the run, so the hot path takes
// no locks; only the progress counters are atomics (read once a second).
type worker struct {
	signer *v4.Signer // own key-derivation cache: no shared RWMutex
	rng    *rand.Rand
	hists  [numOps]*histogram
	counts [numOps]int
	errs   [numOps]map[string]int
	sent   atomic.Int64 // measured requests
	failed atomic.Int64
	warm   atomic.Int64 // warmup requests, so progress shows a rate then too
	end    time.Time

	listNext string // list-cases-paged: the token of the next page
	page     []byte // list-cases-paged: the last answer
}

func newWorker(weights []weightedOp) *worker {
	w := &worker{
		signer: v4.NewSigner(),
		rng:    rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
	}
	for _, wo := range weights {
		w.hists[wo.op] = newHistogram()
	}
	return w
}

func (w *worker) run(ctx context.Context, p *phase) {
	defer func() { w.end = time.Now() }()
	hasDeadline := !p.deadline.IsZero()
	for ctx.Err() == nil {
		start := time.Now()
		if hasDeadline && !start.Before(p.deadline) {
			return
		}
		measuring := !start.Before(p.t0)
		if measuring && p.requests > 0 && p.tickets.Add(1) > p.requests {
			return
		}
		op := p.picker.pick(w.rng)
		var errType string
		if op == opListCasesPaged {
			errType = w.nextPage(ctx, p)
		} else {
			errType = p.client.do(ctx, w.signer, p.target.build(op, w.rng), nil)
		}
		lat := time.Since(start)
		if errType != "" && ctx.Err() != nil {
			return // aborted by the caller, not a server failure
		}
		if measuring {
			w.record(op, lat, errType)
		} else {
			w.warm.Add(1)
		}
	}
}

// nextPage requests the page after the worker's last one (the first page
// when its walk is new or done) and keeps the nextToken the answer holds.
func (w *worker) nextPage(ctx context.Context, p *phase) string {
	k := p.target.build(opListCasesPaged, w.rng)
	if w.listNext != "" {
		k.body, _ = json.Marshal(map[string]any{"maxResults": 25, "nextToken": w.listNext})
	}
	errType := p.client.do(ctx, w.signer, k, &w.page)
	var out struct {
		NextToken string `json:"nextToken"`
	}
	if errType == "" && json.Unmarshal(w.page, &out) != nil {
		errType = "client:bad-list-cases-answer"
	}
	w.listNext = out.NextToken // "" on an error too: start over
	return errType
}

// record counts every request; latency is kept for successes only, since
// fast-failing errors (refused connections, throttles) would flatter it.
func (w *worker) record(op opKind, lat time.Duration, errType string) {
	w.counts[op]++
	w.sent.Add(1)
	if errType == "" {
		w.hists[op].record(lat)
		return
	}
	if w.errs[op] == nil {
		w.errs[op] = make(map[string]int)
	}
	w.errs[op][errType]++
	w.failed.Add(1)
}

// picker chooses ops by weight from a cumulative table (at most numOps
// entries, so a linear scan beats anything cleverer).
type picker struct {
	ops   []opKind
	cum   []int
	total int
}

func newPicker(weights []weightedOp) picker {
	var p picker
	for _, w := range weights {
		p.total += w.weight
		p.ops = append(p.ops, w.op)
		p.cum = append(p.cum, p.total)
	}
	return p
}

func (p *picker) pick(rng *rand.Rand) opKind {
	r := rng.IntN(p.total)
	for i, c := range p.cum {
		if r < c {
			return p.ops[i]
		}
	}
	return p.ops[len(p.ops)-1]
}
