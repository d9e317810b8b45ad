package sqlstore

import (
	"time"

	"github.com/sird-project/sird"
)

// Pending uploads: attachments whose upload URL has not been used yet.

var (
	qUploadAdd = def(`INSERT INTO pending_uploads (case_id, attachment_id, account_id, region, expires_ns)
VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qUploadRemove  = def(`DELETE FROM pending_uploads WHERE case_id = ? AND attachment_id = ?`)
	qUploadExpired = def(`SELECT account_id, region, case_id, attachment_id FROM pending_uploads
WHERE expires_ns < ? ORDER BY expires_ns, case_id, attachment_id LIMIT ?`)
)

func (t *tx) AddPendingUpload(ref sird.AttachmentRef, expiresAt time.Time) error {
	return t.insert(qUploadAdd, ref.CaseID, ref.AttachmentID, ref.AccountID, ref.Region, expiresAt.UnixNano())
}

// RemovePendingUpload forgets the upload; one already forgotten is no error,
// as the cleaner and a finishing upload may both settle it.
func (t *tx) RemovePendingUpload(ref sird.AttachmentRef) error {
	_, err := t.exec(qUploadRemove, ref.CaseID, ref.AttachmentID)
	return err
}

// ExpiredPendingUploads returns up to limit uploads that expired strictly
// before the given time, those that expired first first. limit <= 0 means all.
func (t *tx) ExpiredPendingUploads(before time.Time, limit int) ([]sird.AttachmentRef, error) {
	if limit <= 0 {
		limit = noLimit
	}
	rows, err := t.query(qUploadExpired, before.UnixNano(), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []sird.AttachmentRef
	for rows.Next() {
		var r sird.AttachmentRef
		if err := rows.Scan(&r.AccountID, &r.Region, &r.CaseID, &r.AttachmentID); err != nil {
			return nil, t.wrap(qUploadExpired, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, t.wrap(qUploadExpired, err)
	}
	return out, nil
}
