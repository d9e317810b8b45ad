package sqlstore

import "github.com/sird-project/sird"

// Organizations, their units and accounts, as the operator declares them.
// Puts replace; the rows carry no foreign keys, so they load in any order.

var (
	qOrgPut = def(`INSERT INTO organizations (id, management_account_id, doc) VALUES (?, ?, ?)
ON CONFLICT (id) DO UPDATE SET management_account_id = excluded.management_account_id, doc = excluded.doc`)
	qOrgGet  = def(`SELECT doc FROM organizations WHERE id = ?`)
	qOrgList = def(`SELECT doc FROM organizations ORDER BY id`)

	qOUPut = def(`INSERT INTO org_units (id, org_id, doc) VALUES (?, ?, ?)
ON CONFLICT (id) DO UPDATE SET org_id = excluded.org_id, doc = excluded.doc`)
	qOUList   = def(`SELECT doc FROM org_units WHERE org_id = ? ORDER BY id`)
	qOUDelete = def(`DELETE FROM org_units WHERE id = ?`)

	qOrgAccountPut = def(`INSERT INTO org_accounts (account_id, org_id, doc) VALUES (?, ?, ?)
ON CONFLICT (account_id) DO UPDATE SET org_id = excluded.org_id, doc = excluded.doc`)
	qOrgAccountDelete = def(`DELETE FROM org_accounts WHERE account_id = ?`)
	qOrgAccountGet    = def(`SELECT doc FROM org_accounts WHERE account_id = ?`)
	qOrgAccountList   = def(`SELECT doc FROM org_accounts WHERE org_id = ? ORDER BY account_id`)
)

var (
	decodeOrganization = decodeJSON[sird.Organization]("organization")
	decodeOrgUnit      = decodeJSON[sird.OrgUnit]("organizational unit")
	decodeOrgAccount   = decodeJSON[sird.OrgAccount]("organization account")
)

// putDoc runs an upsert whose arguments are keys and then v's document.
func (t *tx) putDoc(id stmtID, what string, v any, keys ...any) error {
	doc, err := encodeJSON(what, v)
	if err != nil {
		return err
	}
	_, err = t.exec(id, append(keys, doc)...)
	return t.membershipsChanged(err)
}

func (t *tx) PutOrganization(o *sird.Organization) error {
	return t.putDoc(qOrgPut, "organization", o, o.ID, o.ManagementAccountID)
}

func (t *tx) PutOrgUnit(u *sird.OrgUnit) error {
	return t.putDoc(qOUPut, "organizational unit", u, u.ID, u.OrgID)
}

func (t *tx) DeleteOrgUnit(id string) error {
	_, err := t.exec(qOUDelete, id)
	return t.membershipsChanged(err)
}

func (t *tx) PutOrgAccount(a *sird.OrgAccount) error {
	return t.putDoc(qOrgAccountPut, "organization account", a, a.AccountID, a.OrgID)
}

// DeleteOrgAccount removes the account from its organization; an account in
// none is left as it is.
func (t *tx) DeleteOrgAccount(accountID string) error {
	_, err := t.exec(qOrgAccountDelete, accountID)
	return t.membershipsChanged(err)
}

func (t *tx) GetOrgAccount(accountID string) (*sird.OrgAccount, error) {
	var doc []byte
	if err := t.scanOne(qOrgAccountGet, []any{accountID}, &doc); err != nil {
		return nil, err
	}
	return decodeOrgAccount(doc)
}

func (t *tx) GetOrganization(id string) (*sird.Organization, error) {
	var doc []byte
	if err := t.scanOne(qOrgGet, []any{id}, &doc); err != nil {
		return nil, err
	}
	return decodeOrganization(doc)
}

func (t *tx) ListOrgUnits(orgID string) ([]*sird.OrgUnit, error) {
	rows, err := t.query(qOUList, orgID)
	if err != nil {
		return nil, err
	}
	return scanDocs(rows, decodeOrgUnit)
}

func (t *tx) ListOrgAccounts(orgID string) ([]*sird.OrgAccount, error) {
	rows, err := t.query(qOrgAccountList, orgID)
	if err != nil {
		return nil, err
	}
	return scanDocs(rows, decodeOrgAccount)
}

func (t *tx) ListOrganizations() ([]*sird.Organization, error) {
	rows, err := t.query(qOrgList)
	if err != nil {
		return nil, err
	}
	return scanDocs(rows, decodeOrganization)
}
