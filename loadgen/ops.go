package loadgen

import (
	"math/rand/v2"
	"net/http"
)

// opKind indexes the per-op arrays; its order is the report's row order.
type opKind int

const (
	opCreateCase opKind = iota
	opGetCase
	opListCases
	opUpdateCase
	opCreateComment
	opListComments
	opGetMembership
	opListMemberships
	opListCasesPaged
	opBaseline
	numOps
)

var opNames = [numOps]string{
	opCreateCase:      OpCreateCase,
	opGetCase:         OpGetCase,
	opListCases:       OpListCases,
	opUpdateCase:      OpUpdateCase,
	opCreateComment:   OpCreateComment,
	opListComments:    OpListComments,
	opGetMembership:   OpGetMembership,
	opListMemberships: OpListMemberships,
	opListCasesPaged:  OpListCasesPaged,
	opBaseline:        OpBaseline,
}

func (o opKind) String() string { return opNames[o] }

func opByName(name string) (opKind, bool) {
	for i, n := range opNames {
		if n == name {
			return opKind(i), true
		}
	}
	return 0, false
}

// needsCase: the op addresses an existing case, so setup must create a pool.
func (o opKind) needsCase() bool {
	switch o {
	case opGetCase, opUpdateCase, opCreateComment, opListComments:
		return true
	}
	return false
}

// needsMembership: everything except the baseline talks to a real
// security-ir API, which refuses case work without an active membership.
func (o opKind) needsMembership() bool { return o != opBaseline }

// call is one fully described HTTP request, before signing.
type call struct {
	method string
	url    string
	body   []byte // nil for GET
	want   int    // the operation's success status
}

// target holds what the request builders need; all of it is read-only
// once the measurement starts, so workers share it without locks.
type target struct {
	base         string // endpoint without trailing slash
	baselineURL  string
	membershipID string
	caseIDs      []string
	bodies       *bodies
}

// build describes op's next request; rng is the calling worker's own.
func (t *target) build(op opKind, rng *rand.Rand) call {
	switch op {
	case opCreateCase:
		return call{http.MethodPost, t.base + "/v1/create-case", t.bodies.createCase(rng), http.StatusCreated}
	case opGetCase:
		return call{http.MethodGet, t.casePath(rng) + "/get-case", nil, http.StatusOK}
	case opListCases, opListCasesPaged: // the worker adds its nextToken to a paged one
		return call{http.MethodPost, t.base + "/v1/list-cases", t.bodies.listCases, http.StatusOK}
	case opUpdateCase:
		return call{http.MethodPost, t.casePath(rng) + "/update-case", t.bodies.updateCase(rng), http.StatusOK}
	case opCreateComment:
		return call{http.MethodPost, t.casePath(rng) + "/create-comment", t.bodies.comment(rng), http.StatusCreated}
	case opListComments:
		return call{http.MethodPost, t.casePath(rng) + "/list-comments", t.bodies.empty, http.StatusOK}
	case opGetMembership:
		return call{http.MethodGet, t.base + "/v1/membership/" + t.membershipID, nil, http.StatusOK}
	case opListMemberships:
		return call{http.MethodPost, t.base + "/v1/memberships", t.bodies.empty, http.StatusOK}
	default:
		return call{http.MethodGet, t.baselineURL, nil, http.StatusOK}
	}
}

func (t *target) casePath(rng *rand.Rand) string {
	return t.base + "/v1/cases/" + t.caseIDs[rng.IntN(len(t.caseIDs))]
}
