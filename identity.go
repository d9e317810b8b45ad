package sird

import "time"

// Caller is the authenticated principal of one request. Every resource is
// scoped to the caller's account and region.
type Caller struct {
	AccountID   string
	Region      string
	Principal   string // IAM user or role ARN
	AccessKeyID string
}

// AccessKey maps an access key ID to an account and principal. SecretEnc is
// the secret sealed with the server's master key; the store never holds it in
// clear text.
type AccessKey struct {
	ID        string
	SecretEnc []byte
	AccountID string
	Principal string
	Disabled  bool
	CreatedAt time.Time
}

// Dev-mode identity: accepted only when no keys exist and sird listens on loopback.
const (
	DevAccessKeyID = "test"
	DevSecretKey   = "test"
	DevAccountID   = "123456789012"
	DevPrincipal   = "arn:aws:iam::123456789012:user/test"
)
