package s3blob_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/blob/blobtest"
	"github.com/sird-project/sird/blob/s3blob"
	"github.com/sird-project/sird/blob/s3blob/s3test"
)

func newStore(tb testing.TB, cfg s3blob.Config) *s3blob.Store {
	tb.Helper()
	st, err := s3blob.New(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return st
}

// rawClient reaches the bucket directly, bypassing the store.
func rawClient(cfg s3blob.Config) *s3.Client {
	return s3.New(s3.Options{
		Region:       cfg.Region,
		BaseEndpoint: aws.String(cfg.Endpoint),
		UsePathStyle: cfg.PathStyle,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: cfg.AccessKey, SecretAccessKey: cfg.SecretKey}, nil
		}),
	})
}

// One server for every subtest: starting versitygw costs more than the tests.
func TestBlobStore(t *testing.T) {
	st := newStore(t, s3test.StartVersity(t))
	blobtest.Run(t, func(*testing.T) sird.BlobStore { return st })
}

func TestServerSide(t *testing.T) {
	cfg := s3test.StartVersity(t)
	st := newStore(t, cfg)
	raw := rawClient(cfg)
	ctx := context.Background()

	t.Run("Prefix", func(t *testing.T) {
		key, data := blobtest.Key(), blobtest.RandomBytes(5)
		if got := blobtest.Put(t, blobtest.Presign(t, st, key, 5), data); got != 200 {
			t.Fatalf("PUT status = %d, want 200", got)
		}
		if _, err := raw.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(cfg.Bucket), Key: aws.String(cfg.Prefix + "/" + key)}); err != nil {
			t.Errorf("object not under prefix %q: %v", cfg.Prefix, err)
		}
	})

	// An object stored with a SHA-256 checksum is stat'ed from it.
	t.Run("StatChecksum", func(t *testing.T) {
		key, data := blobtest.Key(), blobtest.RandomBytes(1000)
		_, err := raw.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(cfg.Bucket), Key: aws.String(cfg.Prefix + "/" + key),
			Body: strings.NewReader(string(data)), ChecksumAlgorithm: types.ChecksumAlgorithmSha256,
		})
		if err != nil {
			t.Fatalf("PutObject: %v", err)
		}
		got, err := st.Stat(ctx, key)
		if err != nil {
			t.Fatalf("Stat: %v", err)
		}
		sum := sha256.Sum256(data)
		if want := (sird.BlobInfo{Size: 1000, SHA256: hex.EncodeToString(sum[:])}); got != want {
			t.Errorf("Stat = %+v, want %+v", got, want)
		}
	})

	// An upload URL can be used again until it expires: S3 has no one-time URL.
	t.Run("ReplayOverwrites", func(t *testing.T) {
		key := blobtest.Key()
		u := blobtest.Presign(t, st, key, 4)
		for _, body := range []string{"aaaa", "bbbb"} {
			if got := blobtest.Put(t, u, []byte(body)); got != 200 {
				t.Fatalf("PUT %q status = %d, want 200", body, got)
			}
		}
		_, got := blobtest.Get(t, blobtest.PresignGet(t, st, key, "x"))
		if string(got) != "bbbb" {
			t.Errorf("content = %q, want the second upload", got)
		}
	})

	t.Run("ExpiredURL", func(t *testing.T) {
		key := blobtest.Key()
		u, err := st.PresignUpload(ctx, key, 1, time.Now()) // clamped to 1s
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(2100 * time.Millisecond)
		if got := blobtest.Put(t, u, []byte("x")); got != 403 {
			t.Errorf("PUT after expiry: status = %d, want 403", got)
		}
	})
}

func TestPresignUnit(t *testing.T) {
	st := newStore(t, s3blob.Config{Endpoint: "http://127.0.0.1:1", Bucket: "b", AccessKey: "a", SecretKey: "s", PathStyle: true})
	ctx := context.Background()

	t.Run("ContentLengthSigned", func(t *testing.T) {
		u, err := st.PresignUpload(ctx, "1/2/3", 42, time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		q := mustQuery(t, u)
		if got := q.Get("X-Amz-SignedHeaders"); !strings.Contains(got, "content-length") {
			t.Errorf("X-Amz-SignedHeaders = %q, want content-length in it", got)
		}
	})

	t.Run("ZeroSizeRefused", func(t *testing.T) {
		if u, err := st.PresignUpload(ctx, "1/2/3", 0, time.Now().Add(time.Hour)); err == nil {
			t.Errorf("PresignUpload(size 0) = %q, want an error: the length could not be signed", u)
		}
	})

	tests := []struct {
		name    string
		expires time.Duration
		want    string
	}{
		{"past", -time.Hour, "1"},
		{"hour", time.Hour, "3600"},
		{"year", 365 * 24 * time.Hour, "604800"},
	}
	for _, tt := range tests {
		t.Run("Expires/"+tt.name, func(t *testing.T) {
			u, err := st.PresignDownload(ctx, "1/2/3", "f.txt", time.Now().Add(tt.expires))
			if err != nil {
				t.Fatal(err)
			}
			got := mustQuery(t, u).Get("X-Amz-Expires")
			// Time passes between the call and the signature: allow one second.
			if got != tt.want && !(tt.name == "hour" && got == "3599") {
				t.Errorf("X-Amz-Expires = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestNewConfig(t *testing.T) {
	tests := []struct {
		name    string
		cfg     s3blob.Config
		wantErr bool
	}{
		{"ok", s3blob.Config{Bucket: "b", AccessKey: "a", SecretKey: "s"}, false},
		{"no bucket", s3blob.Config{AccessKey: "a", SecretKey: "s"}, true},
		{"no access key", s3blob.Config{Bucket: "b", SecretKey: "s"}, true},
		{"no secret", s3blob.Config{Bucket: "b", AccessKey: "a"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s3blob.New(context.Background(), tt.cfg)
			if got := err != nil; got != tt.wantErr {
				t.Errorf("New err = %v, want error: %v", err, tt.wantErr)
			}
		})
	}
}

func mustQuery(tb testing.TB, raw string) url.Values {
	tb.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		tb.Fatal(err)
	}
	return u.Query()
}
