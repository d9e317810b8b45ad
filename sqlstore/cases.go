package sqlstore

import (
	"errors"
	"fmt"

	"github.com/sird-project/sird"
)

// Cases and their per-account counts.

var (
	qCaseInsert = def(`INSERT INTO cases (case_id, account_id, region, created_ns, doc) VALUES (?, ?, ?, ?, ?)
ON CONFLICT DO NOTHING`)
	qCaseInsertFirst = def(`INSERT INTO cases (case_id, account_id, region, created_ns, doc, first_edit) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT DO NOTHING`)
	qCaseCount = def(`INSERT INTO case_counts (account_id, region, n) VALUES (?, ?, 1)
ON CONFLICT (account_id, region) DO UPDATE SET n = case_counts.n + 1`)
	qCaseCountAdd = def(`INSERT INTO case_counts (account_id, region, n) VALUES (?, ?, ?)
ON CONFLICT (account_id, region) DO UPDATE SET n = case_counts.n + excluded.n`)
	// The creation time never changes in practice: updating only the
	// document spares the cases_page index an entry delete and insert. If
	// it did change, the second form moves the case in the list.
	qCaseUpdateDoc = def(`UPDATE cases SET doc = ? WHERE case_id = ? AND account_id = ? AND region = ? AND created_ns = ?`)
	qCaseUpdate    = def(`UPDATE cases SET created_ns = ?, doc = ? WHERE case_id = ? AND account_id = ? AND region = ?`)
	qCaseGet       = def(`SELECT doc FROM cases WHERE case_id = ? AND account_id = ? AND region = ?`)
	qCaseGetLock   = def(`SELECT doc FROM cases WHERE case_id = ? AND account_id = ? AND region = ?` + forUpdate)
	qCaseFirst     = def(`SELECT case_id, created_ns, doc FROM cases WHERE account_id = ? AND region = ?
ORDER BY created_ns DESC, case_id DESC LIMIT ?`)
	qCaseAfter = def(`SELECT case_id, created_ns, doc FROM cases WHERE account_id = ? AND region = ?
AND (created_ns, case_id) < (?, ?) ORDER BY created_ns DESC, case_id DESC LIMIT ?`)
	qCaseTotal = def(`SELECT n FROM case_counts WHERE account_id = ? AND region = ?`)
)

// The stored document of a case is its JSON form, which holds every member
// but ID, account and region: those are columns.

// The codec is casecodec.go's: the same JSON as encoding/json, faster.

func encodeCase(c *sird.Case) (string, error) { return encodeCaseDoc(c) }

// decodeCase decodes a document scanned as a string: database/sql hands
// the driver's string over without a copy, and the decoded case's strings
// are slices of it.
func decodeCase(id, accountID, region string, doc string) (*sird.Case, error) {
	c, err := decodeCaseDoc(doc)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: case %s document: %w", id, err)
	}
	c.ID, c.AccountID, c.Region = id, accountID, region
	return c, nil
}

// InsertCase inserts c and counts it in the same transaction.
func (t *tx) InsertCase(c *sird.Case) error {
	doc, err := encodeCase(c)
	if err != nil {
		return err
	}
	if err := t.insert(qCaseInsert, c.ID, c.AccountID, c.Region, c.CreatedDate.UnixNano(), doc); err != nil {
		return err
	}
	return t.countNewCase(c)
}

// InsertCaseWithFirstEdit stores the history entry in the case row's
// first_edit column, where AddCaseEdit would put it with an UPDATE.
func (t *tx) InsertCaseWithFirstEdit(c *sird.Case, first *sird.CaseEdit) error {
	if first.Seq != 1 {
		return fmt.Errorf("sqlstore: the first history entry of case %s has Seq %d, want 1", c.ID, first.Seq)
	}
	doc, err := encodeCase(c)
	if err != nil {
		return err
	}
	edit, err := encodeEditDoc(first)
	if err != nil {
		return err
	}
	if err := t.insert(qCaseInsertFirst, c.ID, c.AccountID, c.Region, c.CreatedDate.UnixNano(), doc, edit); err != nil {
		return err
	}
	return t.countNewCase(c)
}

// countNewCase adds an inserted case to its account's count.
func (t *tx) countNewCase(c *sird.Case) error {
	if t.grp != nil { // the group adds its cases to the counts once, at commit
		t.newCases = append(t.newCases, countKey{c.AccountID, c.Region})
		return nil
	}
	_, err := t.exec(qCaseCount, c.AccountID, c.Region)
	return err
}

// UpdateCase replaces the case c.ID of c's account and region.
func (t *tx) UpdateCase(c *sird.Case) error {
	doc, err := encodeCase(c)
	if err != nil {
		return err
	}
	ns := c.CreatedDate.UnixNano()
	n, err := t.execN(qCaseUpdateDoc, doc, c.ID, c.AccountID, c.Region, ns)
	if err != nil || n > 0 {
		return err
	}
	return t.update(qCaseUpdate, ns, doc, c.ID, c.AccountID, c.Region)
}

func (t *tx) GetCase(accountID, region, id string, lock bool) (*sird.Case, error) {
	var doc string
	if err := t.scanOne(t.lockID(qCaseGet, qCaseGetLock, lock), []any{id, accountID, region}, &doc); err != nil {
		return nil, err
	}
	return decodeCase(id, accountID, region, doc)
}

func (t *tx) ListCases(accountID, region string, p sird.Page) ([]*sird.Case, string, error) {
	fetch := pageLimit(p.Limit)
	var args []any
	id := qCaseFirst
	if p.After == "" {
		args = []any{accountID, region, fetch}
	} else {
		createdNS, caseID, err := parseCaseCursor(p.After)
		if err != nil {
			return nil, "", err
		}
		id = qCaseAfter
		args = []any{accountID, region, createdNS, caseID, fetch}
	}
	rows, err := t.query(id, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var (
		items []*sird.Case
		ns    []int64 // created_ns of each item, for the cursor
		cid   string
		cns   int64
		doc   string
	)
	for rows.Next() {
		if err := rows.Scan(&cid, &cns, &doc); err != nil {
			return nil, "", t.wrap(id, err)
		}
		c, err := decodeCase(cid, accountID, region, doc)
		if err != nil {
			return nil, "", err
		}
		items = append(items, c)
		ns = append(ns, cns)
	}
	if err := rows.Err(); err != nil {
		return nil, "", t.wrap(id, err)
	}
	items, hasMore := more(items, p.Limit)
	if !hasMore {
		return items, "", nil
	}
	last := len(items) - 1
	return items, caseCursor(ns[last], items[last].ID), nil
}

// CountCases reads the counter InsertCase maintains, plus the cases a
// group commit has yet to add to it.
func (t *tx) CountCases(accountID, region string) (int64, error) {
	var n int64
	err := t.scanOne(qCaseTotal, []any{accountID, region}, &n)
	if errors.Is(err, sird.ErrNotExist) {
		n, err = 0, nil
	}
	if err != nil || t.grp == nil {
		return n, err
	}
	k := countKey{accountID, region}
	n += t.grp.caseCounts[k]
	for _, nk := range t.newCases {
		if nk == k {
			n++
		}
	}
	return n, nil
}
