package sird

import (
	"context"
	"time"
)

// BlobInfo describes stored attachment bytes.
type BlobInfo struct {
	Size   int64
	SHA256 string // lowercase hex
}

// BlobStore keeps attachment bytes behind presigned URLs. Keys are
// "<account>/<region>/<caseId>/<attachmentId>".
type BlobStore interface {
	// PresignUpload returns a URL that accepts one PUT of exactly size bytes
	// for key until expires.
	PresignUpload(ctx context.Context, key string, size int64, expires time.Time) (string, error)
	// PresignDownload returns a URL that serves key's bytes, naming fileName in
	// Content-Disposition, until expires.
	PresignDownload(ctx context.Context, key, fileName string, expires time.Time) (string, error)
	// Stat reports a stored blob; ErrNotExist when there is none.
	Stat(ctx context.Context, key string) (BlobInfo, error)
	// Delete removes a blob; deleting a missing blob is not an error.
	Delete(ctx context.Context, key string) error
}

// UploadTracker is told about uploads by blob stores that receive the bytes
// themselves (the embedded store), so an upload URL works once and the
// attachment's status follows what was stored.
type UploadTracker interface {
	// ClaimUpload is called before any byte is stored; an error refuses the
	// upload (already used, expired, unknown).
	ClaimUpload(ctx context.Context, key string, size int64) error
	// FinishUpload reports the outcome: info of the stored blob, or the failure.
	FinishUpload(ctx context.Context, key string, info BlobInfo, failure error) error
}
