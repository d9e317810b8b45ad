package sqlstore

import "github.com/sird-project/sird"

// Case comments, ordered by their fixed-width IDs.

var (
	qCommentInsert  = def(`INSERT INTO comments (case_id, comment_id, doc) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`)
	qCommentUpdate  = def(`UPDATE comments SET doc = ? WHERE case_id = ? AND comment_id = ?`)
	qCommentGet     = def(`SELECT doc FROM comments WHERE case_id = ? AND comment_id = ?`)
	qCommentGetLock = def(`SELECT doc FROM comments WHERE case_id = ? AND comment_id = ?` + forUpdate)
	qCommentList    = def(`SELECT doc FROM comments WHERE case_id = ? AND comment_id > ? ORDER BY comment_id LIMIT ?`)
)

var decodeCommentDoc = decodeJSON[sird.Comment]("comment")

func (t *tx) InsertComment(c *sird.Comment) error {
	doc, err := encodeJSON("comment", c)
	if err != nil {
		return err
	}
	return t.insert(qCommentInsert, c.CaseID, c.ID, doc)
}

func (t *tx) UpdateComment(c *sird.Comment) error {
	doc, err := encodeJSON("comment", c)
	if err != nil {
		return err
	}
	return t.update(qCommentUpdate, doc, c.CaseID, c.ID)
}

func (t *tx) GetComment(caseID, commentID string, lock bool) (*sird.Comment, error) {
	var doc []byte
	if err := t.scanOne(t.lockID(qCommentGet, qCommentGetLock, lock), []any{caseID, commentID}, &doc); err != nil {
		return nil, err
	}
	c, err := decodeCommentDoc(doc)
	if err != nil {
		return nil, err
	}
	c.CaseID = caseID
	return c, nil
}

func (t *tx) ListComments(caseID string, p sird.Page) ([]*sird.Comment, string, error) {
	after := ""
	if p.After != "" {
		var err error
		if after, err = parseCommentCursor(p.After); err != nil {
			return nil, "", err
		}
	}
	fetch := pageLimit(p.Limit)
	rows, err := t.query(qCommentList, caseID, after, fetch)
	if err != nil {
		return nil, "", err
	}
	items, err := scanDocs(rows, decodeCommentDoc)
	if err != nil {
		return nil, "", t.wrap(qCommentList, err)
	}
	for _, c := range items {
		c.CaseID = caseID
	}
	items, hasMore := more(items, p.Limit)
	if !hasMore {
		return items, "", nil
	}
	return items, commentCursor(items[len(items)-1].ID), nil
}
