package sqlstore

import "github.com/sird-project/sird"

// Memberships and their change history.

var (
	qMemInsert = def(`INSERT INTO memberships (id, account_id, region, doc) VALUES (?, ?, ?, ?)
ON CONFLICT DO NOTHING`)
	qMemUpdate    = def(`UPDATE memberships SET account_id = ?, region = ?, doc = ? WHERE id = ?`)
	qMemGet       = def(`SELECT doc FROM memberships WHERE id = ?`)
	qMemGetLock   = def(`SELECT doc FROM memberships WHERE id = ?` + forUpdate)
	qMemByAccount = def(`SELECT doc FROM memberships WHERE account_id = ? ORDER BY id`)
	qMemByOrg     = def(`SELECT doc FROM memberships WHERE account_id IN (
	SELECT account_id FROM org_accounts WHERE org_id = ?
	UNION SELECT management_account_id FROM organizations WHERE id = ?
) ORDER BY id`)
	qMemList = def(`SELECT doc FROM memberships WHERE account_id = ? AND region = ? AND id > ?
ORDER BY id LIMIT ?`)

	qMemChangeAdd = def(`INSERT INTO membership_changes (membership_id, seq, doc) VALUES (?, ?, ?)
ON CONFLICT DO NOTHING`)
	qMemChangeList = def(`SELECT doc FROM membership_changes WHERE membership_id = ? ORDER BY seq`)
)

var (
	decodeMembership       = decodeJSON[sird.Membership]("membership")
	decodeMembershipChange = decodeJSON[sird.MembershipChange]("membership change")
)

func (t *tx) InsertMembership(m *sird.Membership) error {
	doc, err := encodeJSON("membership", m)
	if err != nil {
		return err
	}
	return t.membershipsChanged(t.insert(qMemInsert, m.ID, m.AccountID, m.Region, doc))
}

func (t *tx) UpdateMembership(m *sird.Membership) error {
	doc, err := encodeJSON("membership", m)
	if err != nil {
		return err
	}
	return t.membershipsChanged(t.update(qMemUpdate, m.AccountID, m.Region, doc, m.ID))
}

func (t *tx) GetMembership(id string, lock bool) (*sird.Membership, error) {
	var doc []byte
	if err := t.scanOne(t.lockID(qMemGet, qMemGetLock, lock), []any{id}, &doc); err != nil {
		return nil, err
	}
	return decodeMembership(doc)
}

func (t *tx) MembershipsByAccount(accountID string) ([]*sird.Membership, error) {
	rows, err := t.query(qMemByAccount, accountID)
	if err != nil {
		return nil, err
	}
	return scanDocs(rows, decodeMembership)
}

// MembershipsByOrg counts the management account as one of the
// organization's accounts even when it was not declared with PutOrgAccount.
func (t *tx) MembershipsByOrg(orgID string) ([]*sird.Membership, error) {
	rows, err := t.query(qMemByOrg, orgID, orgID)
	if err != nil {
		return nil, err
	}
	return scanDocs(rows, decodeMembership)
}

// ListMemberships returns up to p.Limit memberships with IDs after p.After,
// which is a plain membership ID (the caller fetches Limit+1 to find the
// next page). Limit <= 0 means no limit.
func (t *tx) ListMemberships(accountID, region string, p sird.Page) ([]*sird.Membership, error) {
	limit := p.Limit
	if limit <= 0 {
		limit = noLimit
	}
	rows, err := t.query(qMemList, accountID, region, p.After, limit)
	if err != nil {
		return nil, err
	}
	return scanDocs(rows, decodeMembership)
}

// AddMembershipChange stores c under the Seq the caller chose; a Seq already
// used for the membership is sird.ErrDuplicate, a missing membership
// sird.ErrNotExist.
func (t *tx) AddMembershipChange(c *sird.MembershipChange) error {
	doc, err := encodeJSON("membership change", c)
	if err != nil {
		return err
	}
	return t.insert(qMemChangeAdd, c.MembershipID, c.Seq, doc)
}

func (t *tx) ListMembershipChanges(membershipID string) ([]*sird.MembershipChange, error) {
	rows, err := t.query(qMemChangeList, membershipID)
	if err != nil {
		return nil, err
	}
	return scanDocs(rows, decodeMembershipChange)
}
