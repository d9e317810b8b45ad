package sird

import "sync"

// activeCache remembers, per account and region, the active membership that
// covers it, as of one memberships version (Tx.MembershipsVersion). Finding
// it costs several reads and document decodes; checking the version is one
// row read, in the caller's own transaction, so a membership cancelled or
// changed on any node is seen exactly as an uncached lookup would see it.
type activeCache struct {
	mu      sync.RWMutex
	version int64
	entries map[activeKey]*Membership // read-only once stored
}

type activeKey struct{ account, region string }

// requireActive is the package's requireActive, cached.
func (a *activeCache) requireActive(tx Tx, c Caller) (*Membership, error) {
	// The version is read before the memberships, so whatever is stored
	// under it is at least as new as it.
	v, err := tx.MembershipsVersion()
	if err != nil {
		return nil, err
	}
	k := activeKey{c.AccountID, c.Region}
	a.mu.RLock()
	m, ok := a.entries[k]
	ok = ok && a.version == v
	a.mu.RUnlock()
	if ok {
		cp := *m // callers may change their copy
		return &cp, nil
	}
	m, err = requireActive(tx, c)
	if err != nil {
		return nil, err // not cached: an inactive account is rare and cheap to recheck
	}
	a.mu.Lock()
	if v > a.version || a.entries == nil {
		a.version, a.entries = v, map[activeKey]*Membership{}
	}
	if v == a.version {
		stored := *m
		a.entries[k] = &stored
	}
	a.mu.Unlock()
	return m, nil
}
