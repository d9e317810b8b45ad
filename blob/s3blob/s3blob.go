// Package s3blob is a sird.BlobStore on any S3-compatible service: presigned
// URLs go straight to the bucket, so attachment bytes never pass through sird.
package s3blob

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/blob"
)

// Config locates the bucket. Endpoint empty means AWS itself.
type Config struct {
	Endpoint  string // e.g. "http://127.0.0.1:7070"
	Region    string // "us-east-1" when empty
	Bucket    string
	AccessKey string
	SecretKey string
	PathStyle bool   // bucket in the path, not the host name (most non-AWS servers)
	Prefix    string // prepended to keys, e.g. "attachments"; a "/" is added
}

// Presigned URLs live at most this long: SigV4's limit.
const maxExpiry = 7 * 24 * time.Hour

// Store implements sird.BlobStore on a bucket.
type Store struct {
	client  *s3.Client
	presign *s3.PresignClient
	bucket  string
	prefix  string
}

var _ sird.BlobStore = (*Store)(nil)

// New builds a store; it does not contact the server.
func New(_ context.Context, cfg Config) (*Store, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("s3blob: no bucket")
	}
	if cfg.AccessKey == "" || cfg.SecretKey == "" {
		return nil, errors.New("s3blob: access key and secret key are required")
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	creds := aws.Credentials{AccessKeyID: cfg.AccessKey, SecretAccessKey: cfg.SecretKey, Source: "s3blob.Config"}
	opts := s3.Options{
		Region: cfg.Region,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return creds, nil
		}),
		UsePathStyle: cfg.PathStyle,
		// Checksums only where S3 demands them: not every S3-compatible
		// server speaks the newer checksum headers.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
	if cfg.Endpoint != "" {
		opts.BaseEndpoint = aws.String(cfg.Endpoint)
	}
	client := s3.New(opts)
	prefix := strings.Trim(cfg.Prefix, "/")
	if prefix != "" {
		prefix += "/"
	}
	return &Store{client: client, presign: s3.NewPresignClient(client), bucket: cfg.Bucket, prefix: prefix}, nil
}

func (s *Store) objectKey(key string) (*string, error) {
	if err := blob.ValidKey(key); err != nil {
		return nil, fmt.Errorf("s3blob: key %q: %w", key, err)
	}
	return aws.String(s.prefix + key), nil
}

// expiry turns an instant into the duration SigV4 wants, within its limits.
func expiry(expires time.Time) time.Duration {
	return min(max(time.Until(expires), time.Second), maxExpiry)
}

// PresignUpload implements sird.BlobStore. Content-Length is a signed header,
// so the server refuses a body of any other length. SigV4 only signs a
// positive length, so an empty upload cannot be bound and is refused here.
func (s *Store) PresignUpload(ctx context.Context, key string, size int64, expires time.Time) (string, error) {
	k, err := s.objectKey(key)
	if err != nil {
		return "", err
	}
	if size < 1 {
		return "", fmt.Errorf("s3blob: presign upload %q: size %d cannot be signed", key, size)
	}
	req, err := s.presign.PresignPutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(s.bucket),
		Key:           k,
		ContentLength: aws.Int64(size),
	}, s3.WithPresignExpires(expiry(expires)))
	if err != nil {
		return "", fmt.Errorf("s3blob: presign upload %q: %w", key, err)
	}
	return req.URL, nil
}

// PresignDownload implements sird.BlobStore. The server answers with the
// Content-Disposition and Content-Type signed into the URL.
func (s *Store) PresignDownload(ctx context.Context, key, fileName string, expires time.Time) (string, error) {
	k, err := s.objectKey(key)
	if err != nil {
		return "", err
	}
	req, err := s.presign.PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket:                     aws.String(s.bucket),
		Key:                        k,
		ResponseContentDisposition: aws.String(blob.ContentDisposition(fileName)),
		ResponseContentType:        aws.String("application/octet-stream"),
	}, s3.WithPresignExpires(expiry(expires)))
	if err != nil {
		return "", fmt.Errorf("s3blob: presign download %q: %w", key, err)
	}
	return req.URL, nil
}

// Stat implements sird.BlobStore. The SHA-256 comes from the object's own
// full-object checksum when it has one; otherwise the object is read and
// hashed, pinned by ETag to the version HeadObject saw.
func (s *Store) Stat(ctx context.Context, key string) (sird.BlobInfo, error) {
	if blob.ValidKey(key) != nil {
		return sird.BlobInfo{}, sird.ErrNotExist
	}
	k := aws.String(s.prefix + key)
	head, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{
		Bucket: aws.String(s.bucket), Key: k, ChecksumMode: types.ChecksumModeEnabled,
	})
	if err != nil {
		return sird.BlobInfo{}, s.wrap("stat", key, err)
	}
	if sum, ok := fullObjectSHA256(head); ok {
		return sird.BlobInfo{Size: aws.ToInt64(head.ContentLength), SHA256: sum}, nil
	}
	obj, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: k, IfMatch: head.ETag})
	if err != nil {
		return sird.BlobInfo{}, s.wrap("stat", key, err)
	}
	defer obj.Body.Close()
	h := sha256.New()
	n, err := io.Copy(h, obj.Body)
	if err != nil {
		return sird.BlobInfo{}, fmt.Errorf("s3blob: stat %q: read: %w", key, err)
	}
	return sird.BlobInfo{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// fullObjectSHA256 is the hex SHA-256 of the whole object if S3 holds one; a
// multipart composite checksum ("...-N") is a digest of digests and is no use.
func fullObjectSHA256(head *s3.HeadObjectOutput) (string, bool) {
	v := aws.ToString(head.ChecksumSHA256)
	if v == "" || strings.Contains(v, "-") || head.ChecksumType == types.ChecksumTypeComposite {
		return "", false
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(b) != sha256.Size {
		return "", false
	}
	return hex.EncodeToString(b), true
}

// Delete implements sird.BlobStore; S3 deletes of missing keys succeed.
func (s *Store) Delete(ctx context.Context, key string) error {
	if blob.ValidKey(key) != nil {
		return nil // no such key can have been stored
	}
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.prefix + key)})
	if err != nil {
		// Missing keys answer 204; a 404 here is a missing bucket.
		return fmt.Errorf("s3blob: delete %q: %w", key, err)
	}
	return nil
}

// wrap turns a 404 into sird.ErrNotExist, returned bare like fsblob does
// (HEAD answers carry no error code, so the status is what tells), and names
// the operation otherwise.
func (s *Store) wrap(op, key string, err error) error {
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() == 404 {
		return sird.ErrNotExist
	}
	return fmt.Errorf("s3blob: %s %q: %w", op, key, err)
}
