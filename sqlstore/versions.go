package sqlstore

// The memberships version: every change to memberships or to the declared
// organizations (their units and accounts) bumps it in its own transaction.

var (
	qMembershipsVersion = def(`SELECT n FROM store_versions WHERE name = 'memberships'`)
	qMembershipsBump    = def(`UPDATE store_versions SET n = n + 1 WHERE name = 'memberships'`)
)

// MembershipsVersion reads the version; within a group commit, once per
// group: nothing else writes while the group's transaction is open.
func (t *tx) MembershipsVersion() (int64, error) {
	if g := t.grp; g != nil && g.memKnown {
		if err := t.check(); err != nil {
			return 0, err
		}
		return g.memVersion, nil
	}
	var n int64
	err := t.scanOne(qMembershipsVersion, nil, &n)
	if err == nil && t.grp != nil {
		t.grp.memVersion, t.grp.memKnown = n, true
	}
	return n, err
}

// membershipsChanged bumps the version after a successful change.
func (t *tx) membershipsChanged(err error) error {
	if err != nil {
		return err
	}
	if t.grp != nil {
		t.grp.memKnown = false
	}
	return t.update(qMembershipsBump)
}
