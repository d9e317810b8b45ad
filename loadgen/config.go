package loadgen

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Config describes one benchmark run.
type Config struct {
	Endpoint                     string // e.g. http://127.0.0.1:8080
	AccessKey, SecretKey, Region string // Region defaults to us-east-1
	Workers                      int    // concurrent keep-alive connections; default 16
	Duration                     time.Duration
	Requests                     int // > 0: stop after this many measured requests (Duration, if set, still caps the run)
	Warmup                       time.Duration
	Mix                          map[string]int // op name -> weight; empty means DefaultMix()
	Prepopulate                  int            // cases created before measuring so reads hit a large store
	Progress                     io.Writer      // non-nil: one \r-terminated status line per second

	// BaselineURL is what the baseline op GETs. Empty means Endpoint + "/",
	// which is right when Endpoint is the baseline server itself; point it
	// at ServeBaseline's address to measure both in the same run.
	BaselineURL string
}

// Op names accepted in Config.Mix.
const (
	OpCreateCase      = "create-case"
	OpGetCase         = "get-case"
	OpListCases       = "list-cases"
	OpUpdateCase      = "update-case"
	OpCreateComment   = "create-comment"
	OpListComments    = "list-comments"
	OpGetMembership   = "get-membership"
	OpListMemberships = "list-memberships"
	// OpListCasesPaged walks ListCases pages with nextToken, each worker on
	// its own walk from the newest case, starting over at the end: the page
	// time over a whole (large) store rather than its first page.
	OpListCasesPaged = "list-cases-paged"
	OpBaseline       = "baseline"
)

// DefaultMix is a read-heavy incident-desk workload.
func DefaultMix() map[string]int {
	return map[string]int{
		OpGetCase:       35,
		OpListCases:     15,
		OpCreateCase:    10,
		OpUpdateCase:    10,
		OpCreateComment: 10,
		OpListComments:  15,
		OpGetMembership: 5,
	}
}

const (
	defaultWorkers  = 16
	defaultDuration = 10 * time.Second
	defaultRegion   = "us-east-1"
	// minCasePool keeps case-id picks spread over enough cases that the
	// server is not measured on one hot row.
	minCasePool = 20
)

// settings is a validated Config with defaults applied.
type settings struct {
	Config
	base    *url.URL
	weights []weightedOp
}

type weightedOp struct {
	op     opKind
	weight int
}

func (c Config) validate() (*settings, error) {
	s := &settings{Config: c}
	u, err := url.Parse(c.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("loadgen: endpoint %q must be an http(s) URL", c.Endpoint)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	s.base = u
	if c.AccessKey == "" || c.SecretKey == "" {
		return nil, errors.New("loadgen: access key and secret key are required to sign requests")
	}
	if s.Region == "" {
		s.Region = defaultRegion
	}
	if s.Workers <= 0 {
		s.Workers = defaultWorkers
	}
	if c.Requests < 0 || c.Duration < 0 || c.Warmup < 0 || c.Prepopulate < 0 {
		return nil, errors.New("loadgen: requests, duration, warmup and prepopulate must not be negative")
	}
	if s.Requests == 0 && s.Duration == 0 {
		s.Duration = defaultDuration
	}
	if s.BaselineURL == "" {
		s.BaselineURL = u.String() + "/"
	}
	mix := c.Mix
	if len(mix) == 0 {
		mix = DefaultMix()
	}
	for name, w := range mix {
		op, ok := opByName(name)
		if !ok {
			return nil, fmt.Errorf("loadgen: unknown op %q (known: %s)", name, strings.Join(opNames[:], ", "))
		}
		if w < 0 {
			return nil, fmt.Errorf("loadgen: op %q has negative weight %d", name, w)
		}
		if w > 0 {
			s.weights = append(s.weights, weightedOp{op, w})
		}
	}
	if len(s.weights) == 0 {
		return nil, errors.New("loadgen: mix has no op with a positive weight")
	}
	// Map order is random; a fixed order keeps the picker reproducible.
	sort.Slice(s.weights, func(i, j int) bool { return s.weights[i].op < s.weights[j].op })
	return s, nil
}

// uses reports whether any op in the mix satisfies pred.
func (s *settings) uses(pred func(opKind) bool) bool {
	for _, w := range s.weights {
		if pred(w.op) {
			return true
		}
	}
	return false
}
