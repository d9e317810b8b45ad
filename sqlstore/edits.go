package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"math"

	"github.com/sird-project/sird"
)

// Case history.

var (
	qEditAdd  = def(`INSERT INTO case_edits (case_id, seq, doc) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`)
	qEditList = def(`SELECT seq, doc FROM case_edits WHERE case_id = ? AND seq > ? ORDER BY seq LIMIT ?`)
	// Entry 1 is in the case's row (migration 0004).
	qEditFirstSet = def(`UPDATE cases SET first_edit = ? WHERE case_id = ? AND first_edit IS NULL`)
	qEditFirstGet = def(`SELECT first_edit FROM cases WHERE case_id = ?`)
)

var decodeCaseEdit = decodeJSON[sird.CaseEdit]("case edit")

// AddCaseEdit stores e under the Seq the caller chose; a Seq already used for
// the case is sird.ErrDuplicate, a missing case sird.ErrNotExist.
func (t *tx) AddCaseEdit(caseID string, e *sird.CaseEdit) error {
	doc, err := encodeEditDoc(e)
	if err != nil {
		return err
	}
	if e.Seq != 1 {
		return t.insert(qEditAdd, caseID, e.Seq, doc)
	}
	n, err := t.execN(qEditFirstSet, doc, caseID)
	if err != nil || n == 1 {
		return err
	}
	var first sql.NullString
	if err := t.scanOne(qEditFirstGet, []any{caseID}, &first); err != nil {
		return err // sird.ErrNotExist for a missing case
	}
	return fmt.Errorf("sqlstore: case %s already has history entry 1: %w", caseID, sird.ErrDuplicate)
}

func (t *tx) ListCaseEdits(caseID string, p sird.Page) ([]*sird.CaseEdit, string, error) {
	after := int64(math.MinInt64)
	if p.After != "" {
		var err error
		if after, err = parseSeqCursor(p.After); err != nil {
			return nil, "", err
		}
	}
	fetch := pageLimit(p.Limit)
	var items []*sird.CaseEdit
	if after < 1 {
		var first sql.NullString
		err := t.scanOne(qEditFirstGet, []any{caseID}, &first)
		if err != nil && !errors.Is(err, sird.ErrNotExist) {
			return nil, "", err
		}
		if first.Valid {
			e, err := decodeCaseEdit([]byte(first.String))
			if err != nil {
				return nil, "", err
			}
			e.Seq = 1
			items = append(items, e)
			fetch--
		}
	}
	rows, err := t.query(qEditList, caseID, after, fetch)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var (
		seq int64
		doc []byte
	)
	for rows.Next() {
		if err := rows.Scan(&seq, &doc); err != nil {
			return nil, "", t.wrap(qEditList, err)
		}
		e, err := decodeCaseEdit(doc)
		if err != nil {
			return nil, "", err
		}
		e.Seq = seq
		items = append(items, e)
	}
	if err := rows.Err(); err != nil {
		return nil, "", t.wrap(qEditList, err)
	}
	items, hasMore := more(items, p.Limit)
	if !hasMore {
		return items, "", nil
	}
	return items, seqCursor(items[len(items)-1].Seq), nil
}
