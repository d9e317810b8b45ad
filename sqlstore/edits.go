package sqlstore

import (
	"math"

	"github.com/sird-project/sird"
)

// Case history.

var (
	qEditAdd  = def(`INSERT INTO case_edits (case_id, seq, doc) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`)
	qEditList = def(`SELECT seq, doc FROM case_edits WHERE case_id = ? AND seq > ? ORDER BY seq LIMIT ?`)
)

var decodeCaseEdit = decodeJSON[sird.CaseEdit]("case edit")

// AddCaseEdit stores e under the Seq the caller chose; a Seq already used for
// the case is sird.ErrDuplicate, a missing case sird.ErrNotExist.
func (t *tx) AddCaseEdit(caseID string, e *sird.CaseEdit) error {
	doc, err := encodeEditDoc(e)
	if err != nil {
		return err
	}
	return t.insert(qEditAdd, caseID, e.Seq, doc)
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
	rows, err := t.query(qEditList, caseID, after, fetch)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var (
		items []*sird.CaseEdit
		seq   int64
		doc   []byte
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
