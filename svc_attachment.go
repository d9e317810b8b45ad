package sird

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

type GetCaseAttachmentUploadURLInput struct {
	CaseID        string `json:"caseId"`
	FileName      string `json:"fileName"`
	ContentLength int64  `json:"contentLength"`
	ClientToken   string `json:"clientToken,omitempty"`
}

type AttachmentURLOutput struct {
	AttachmentPresignedURL string `json:"attachmentPresignedUrl"`
}

type GetCaseAttachmentDownloadURLInput struct {
	CaseID       string `json:"caseId"`
	AttachmentID string `json:"attachmentId"`
}

// maxAttachments is the per-case attachment quota of the service.
const maxAttachments = 50

func blobKey(account, region, caseID, attachmentID string) string {
	return account + "/" + region + "/" + caseID + "/" + attachmentID
}

func parseBlobKey(key string) (AttachmentRef, bool) {
	p := strings.Split(key, "/")
	if len(p) != 4 {
		return AttachmentRef{}, false
	}
	return AttachmentRef{AccountID: p[0], Region: p[1], CaseID: p[2], AttachmentID: p[3]}, true
}

func findAttachment(cs *Case, id string) *Attachment {
	for i := range cs.CaseAttachments {
		if cs.CaseAttachments[i].ID == id {
			return &cs.CaseAttachments[i]
		}
	}
	return nil
}

// GetCaseAttachmentUploadURL creates a Pending attachment and returns a
// presigned URL that accepts exactly one PUT of exactly contentLength bytes.
func (s *Service) GetCaseAttachmentUploadURL(ctx context.Context, c Caller, in *GetCaseAttachmentUploadURLInput) (*AttachmentURLOutput, error) {
	if s.blobs == nil {
		return nil, Errorf(ErrInternal, "no blob store is configured")
	}
	token := in.ClientToken
	req := *in // the request without its token, leaving the caller's input as it was
	req.ClientToken = ""
	digest := jsonDigest(&req)
	scope := "GetCaseAttachmentUploadUrl/" + c.AccountID + "/" + c.Region + "/" + in.CaseID
	var att Attachment
	err := s.write(ctx, func(tx Tx) error {
		m, cs, err := s.writableCase(tx, c, in.CaseID)
		if err != nil {
			return err
		}
		if id, found, err := idempotent(tx, scope, token, digest); err != nil {
			return err
		} else if found {
			if a := findAttachment(cs, id); a != nil && a.Status == AttachmentPending && !a.Claimed {
				att = *a
				return nil
			}
			return Conflict("attachment", id, "The upload URL for clientToken %s was already used.", token)
		}
		if len(cs.CaseAttachments) >= maxAttachments {
			return QuotaExceeded("case", cs.ID, "attachments-per-case",
				"Case %s already has %d attachments, the most a case can hold.", cs.ID, maxAttachments)
		}
		now := s.clock()
		att = Attachment{
			ID: s.newUUID(), FileName: in.FileName, Status: AttachmentPending, Creator: c.Principal, CreatedAt: now,
			Size: in.ContentLength, ExpiresAt: At(now.Add(s.UploadURLTTL)),
		}
		att.BlobKey = blobKey(c.AccountID, c.Region, cs.ID, att.ID)
		cs.CaseAttachments = append(cs.CaseAttachments, att)
		ref := AttachmentRef{AccountID: c.AccountID, Region: c.Region, CaseID: cs.ID, AttachmentID: att.ID}
		if err := tx.AddPendingUpload(ref, att.ExpiresAt.Time); err != nil {
			return err
		}
		if token != "" {
			if err := tx.PutIdempotency(scope, token, digest.sum, att.ID, now.Time); err != nil {
				return err
			}
		}
		return s.caseChanged(tx, c, m, cs, ActionAttachmentRequested, "",
			fmt.Sprintf("Upload URL issued for attachment %s (%s, %d bytes)", att.ID, att.FileName, att.Size), false)
	})
	if err != nil {
		return nil, err
	}
	url, err := s.blobs.PresignUpload(ctx, att.BlobKey, att.Size, att.ExpiresAt.Time)
	if err != nil {
		return nil, err
	}
	return &AttachmentURLOutput{AttachmentPresignedURL: url}, nil
}

// GetCaseAttachmentDownloadURL presigns a download of a Verified attachment.
func (s *Service) GetCaseAttachmentDownloadURL(ctx context.Context, c Caller, in *GetCaseAttachmentDownloadURLInput) (*AttachmentURLOutput, error) {
	if s.blobs == nil {
		return nil, Errorf(ErrInternal, "no blob store is configured")
	}
	ref := AttachmentRef{AccountID: c.AccountID, Region: c.Region, CaseID: in.CaseID, AttachmentID: in.AttachmentID}
	s.settleUpload(ctx, ref)
	var att Attachment
	err := s.write(ctx, func(tx Tx) error {
		cs, err := visibleCase(tx, c, in.CaseID, true)
		if err != nil {
			return err
		}
		a := findAttachment(cs, in.AttachmentID)
		if a == nil {
			return NotFound("Attachment", in.AttachmentID)
		}
		if a.Status != AttachmentVerified {
			return Conflict("attachment", a.ID, "Attachment %s is %s; only Verified attachments can be downloaded.", a.ID, a.Status)
		}
		att = *a
		return s.caseChanged(tx, c, nil, cs, ActionAttachmentDownload, "",
			fmt.Sprintf("Download URL issued for attachment %s (%s)", a.ID, a.FileName), true)
	})
	if err != nil {
		return nil, err
	}
	url, err := s.blobs.PresignDownload(ctx, att.BlobKey, att.FileName, s.now().Add(s.DownloadURLTTL))
	if err != nil {
		return nil, err
	}
	return &AttachmentURLOutput{AttachmentPresignedURL: url}, nil
}

// ClaimUpload spends an upload URL before the bytes arrive: a second use, an
// expired URL or a different size is refused.
func (s *Service) ClaimUpload(ctx context.Context, key string, size int64) error {
	ref, ok := parseBlobKey(key)
	if !ok {
		return NotFound("Attachment", key)
	}
	return s.write(ctx, func(tx Tx) error {
		cs, a, err := lockAttachment(tx, ref)
		if err != nil {
			return err
		}
		switch {
		case a.Status != AttachmentPending || a.Claimed:
			return Conflict("attachment", a.ID, "The upload URL for attachment %s was already used.", a.ID)
		case s.now().After(a.ExpiresAt.Time):
			return Errorf(ErrAccessDenied, "The upload URL for attachment %s has expired.", a.ID)
		case size != a.Size:
			return InvalidField("Content-Length", "The upload must be exactly %d bytes.", a.Size)
		}
		a.Claimed = true
		return tx.UpdateCase(cs)
	})
}

// FinishUpload records the outcome of an upload: Verified with its checksum,
// or Failed.
func (s *Service) FinishUpload(ctx context.Context, key string, info BlobInfo, failure error) error {
	ref, ok := parseBlobKey(key)
	if !ok {
		return NotFound("Attachment", key)
	}
	return s.write(ctx, func(tx Tx) error {
		cs, a, err := lockAttachment(tx, ref)
		if err != nil {
			return err
		}
		if a.Status != AttachmentPending {
			return nil // settled already (by the cleaner or a status refresh)
		}
		return s.settle(tx, cs, a, info, failure)
	})
}

func lockAttachment(tx Tx, ref AttachmentRef) (*Case, *Attachment, error) {
	cs, err := tx.GetCase(ref.AccountID, ref.Region, ref.CaseID, true)
	if errors.Is(err, ErrNotExist) {
		return nil, nil, NotFound("Attachment", ref.AttachmentID)
	}
	if err != nil {
		return nil, nil, err
	}
	a := findAttachment(cs, ref.AttachmentID)
	if a == nil {
		return nil, nil, NotFound("Attachment", ref.AttachmentID)
	}
	return cs, a, nil
}

// settle moves a Pending attachment to Verified or Failed, with its history
// entry and event, in the caller's transaction.
func (s *Service) settle(tx Tx, cs *Case, a *Attachment, info BlobInfo, failure error) error {
	if failure == nil && info.Size != a.Size {
		failure = fmt.Errorf("stored %d bytes, expected %d", info.Size, a.Size)
	}
	ref := AttachmentRef{AccountID: cs.AccountID, Region: cs.Region, CaseID: cs.ID, AttachmentID: a.ID}
	if err := tx.RemovePendingUpload(ref); err != nil {
		return err
	}
	uploader := Caller{AccountID: cs.AccountID, Region: cs.Region, Principal: a.Creator}
	if failure != nil {
		a.Status = AttachmentFailed
		return s.caseChanged(tx, uploader, nil, cs, ActionAttachmentFailed, "",
			fmt.Sprintf("Upload of attachment %s (%s) failed: %v", a.ID, a.FileName, failure), false)
	}
	a.Status, a.SHA256 = AttachmentVerified, info.SHA256
	// The incident response team hears of it as of any other case change;
	// a membership no longer active leaves the watchers only.
	m, err := s.active.requireActive(tx, uploader)
	if e, ok := AsError(err); err != nil && (!ok || e.Code != ErrNotActive) {
		return err
	}
	return s.caseChanged(tx, uploader, m, cs, ActionAttachmentUploaded, EventCaseAttachmentUploaded,
		fmt.Sprintf("Attachment %s (%s, %d bytes, sha256 %s) uploaded", a.ID, a.FileName, info.Size, info.SHA256), false)
}

// settleUpload checks the blob store for a Pending attachment's bytes (S3
// uploads bypass sird) and settles it when they are there.
func (s *Service) settleUpload(ctx context.Context, ref AttachmentRef) {
	if s.blobs == nil {
		return
	}
	info, err := s.blobs.Stat(ctx, blobKey(ref.AccountID, ref.Region, ref.CaseID, ref.AttachmentID))
	if err != nil {
		return // not there yet, or the store is down: stay Pending
	}
	err = s.write(ctx, func(tx Tx) error {
		cs, a, err := lockAttachment(tx, ref)
		if err != nil || a.Status != AttachmentPending {
			return err
		}
		return s.settle(tx, cs, a, info, nil)
	})
	if err != nil {
		s.log.Warn("settling an attachment failed", "case", ref.CaseID, "attachment", ref.AttachmentID, "err", err)
	}
}

// refreshPendingUploads settles the case's Pending attachments whose bytes
// have arrived, updating cs in place for the response.
func (s *Service) refreshPendingUploads(ctx context.Context, c Caller, cs *Case) {
	pending := false
	for i := range cs.CaseAttachments {
		a := &cs.CaseAttachments[i]
		if a.Status != AttachmentPending {
			continue
		}
		pending = true
		s.settleUpload(ctx, AttachmentRef{AccountID: c.AccountID, Region: c.Region, CaseID: cs.ID, AttachmentID: a.ID})
	}
	if !pending {
		return
	}
	fresh, err := func() (*Case, error) {
		var out *Case
		err := s.read(ctx, func(tx Tx) (err error) { out, err = tx.GetCase(c.AccountID, c.Region, cs.ID, false); return err })
		return out, err
	}()
	if err == nil {
		*cs = *fresh
	}
}

// CleanExpiredUploads settles uploads whose URL expired: bytes that arrived
// in full become Verified; anything else is Failed and its blob deleted, so
// no record points at missing bytes and no orphan blob stays behind.
func (s *Service) CleanExpiredUploads(ctx context.Context, limit int) (int, error) {
	var refs []AttachmentRef
	if err := s.read(ctx, func(tx Tx) (err error) {
		refs, err = tx.ExpiredPendingUploads(s.now(), limit)
		return err
	}); err != nil {
		return 0, err
	}
	for _, ref := range refs {
		key := blobKey(ref.AccountID, ref.Region, ref.CaseID, ref.AttachmentID)
		info, statErr := BlobInfo{}, error(ErrNotExist)
		if s.blobs != nil {
			info, statErr = s.blobs.Stat(ctx, key)
		}
		keep := false
		err := s.write(ctx, func(tx Tx) error {
			keep = false
			cs, a, err := lockAttachment(tx, ref)
			if err != nil {
				if CodeOf(err) == ErrResourceNotFound {
					return tx.RemovePendingUpload(ref)
				}
				return err
			}
			if a.Status != AttachmentPending {
				keep = a.Status == AttachmentVerified
				return tx.RemovePendingUpload(ref)
			}
			if statErr == nil && info.Size == a.Size {
				keep = true
				return s.settle(tx, cs, a, info, nil)
			}
			return s.settle(tx, cs, a, BlobInfo{}, errors.New("the upload URL expired before a complete upload"))
		})
		if err != nil {
			return 0, err
		}
		if !keep && s.blobs != nil {
			_ = s.blobs.Delete(ctx, key)
		}
	}
	return len(refs), nil
}

// RunCleaner runs CleanExpiredUploads every interval until ctx ends.
func (s *Service) RunCleaner(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.CleanExpiredUploads(ctx, 100); err != nil {
				s.log.Warn("cleaning expired uploads failed", "err", err)
			}
		}
	}
}
