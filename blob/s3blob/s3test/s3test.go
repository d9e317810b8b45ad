// Package s3test runs a real S3 server (versitygw's posix backend) on
// loopback for tests of s3blob and of anything built on it.
//
// The binary is found via $SIRD_VERSITYGW, then PATH, then $GOBIN and
// $GOPATH/bin (~/go/bin). Install it with
//
//	go install github.com/versity/versitygw/cmd/versitygw@v1.8.0
//
// Without it tests skip, unless SIRD_REQUIRE_S3 is set: then they fail.
package s3test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sird-project/sird/blob/s3blob"
)

// Bucket is the bucket StartVersity creates.
const Bucket = "sird-test"

// Binary returns the versitygw executable, or "" if there is none.
func Binary() string {
	if p := os.Getenv("SIRD_VERSITYGW"); p != "" {
		return p
	}
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	var dirs []string
	if d := os.Getenv("GOBIN"); d != "" {
		dirs = append(dirs, d)
	}
	for _, d := range filepath.SplitList(os.Getenv("GOPATH")) {
		dirs = append(dirs, filepath.Join(d, "bin"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, "go", "bin"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, "versitygw")
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// StartVersity starts versitygw on 127.0.0.1 with a fresh directory and an
// empty bucket, stops it when tb ends, and returns a Config for s3blob.New.
func StartVersity(tb testing.TB) s3blob.Config {
	tb.Helper()
	bin := Binary()
	if bin == "" {
		if os.Getenv("SIRD_REQUIRE_S3") != "" {
			tb.Fatal("versitygw not found and SIRD_REQUIRE_S3 is set; install: go install github.com/versity/versitygw/cmd/versitygw@v1.8.0")
		}
		tb.Skip("versitygw not found (set SIRD_VERSITYGW or install it into ~/go/bin)")
	}
	cfg := s3blob.Config{
		Region:    "us-east-1",
		Bucket:    Bucket,
		AccessKey: "AK" + randomHex(8),
		SecretKey: "SK" + randomHex(16),
		PathStyle: true,
		Prefix:    "attachments",
	}
	root := filepath.Join(tb.TempDir(), "s3")
	if err := os.Mkdir(root, 0o755); err != nil {
		tb.Fatal(err)
	}
	// A port picked free can be taken again before versitygw binds it; retry.
	var err error
	for range 3 {
		var endpoint string
		if endpoint, err = start(tb, bin, root, cfg); err == nil {
			cfg.Endpoint = endpoint
			break
		}
	}
	if err != nil {
		tb.Fatal(err)
	}
	createBucket(tb, cfg)
	return cfg
}

// syncBuffer collects the server's output from two pipes at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// start runs versitygw on a free port and waits until it answers HTTP.
func start(tb testing.TB, bin, root string, cfg s3blob.Config) (string, error) {
	tb.Helper()
	addr, err := freeAddr()
	if err != nil {
		return "", err
	}
	out := &syncBuffer{}
	cmd := exec.Command(bin, "--access", cfg.AccessKey, "--secret", cfg.SecretKey,
		"--region", cfg.Region, "--port", addr, "--quiet", "posix", root)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start versitygw: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	endpoint := "http://" + addr
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-exited:
			return "", fmt.Errorf("versitygw exited (%v):\n%s", err, out.String())
		default:
		}
		if resp, err := client.Get(endpoint + "/"); err == nil {
			resp.Body.Close()
			break // any answer, even 403, means it is serving
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-exited
			return "", fmt.Errorf("versitygw did not answer on %s:\n%s", addr, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		if tb.Failed() {
			tb.Logf("versitygw output:\n%s", out.String())
		}
	})
	return endpoint, nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port), nil
}

func createBucket(tb testing.TB, cfg s3blob.Config) {
	tb.Helper()
	client := s3.New(s3.Options{
		Region:       cfg.Region,
		BaseEndpoint: aws.String(cfg.Endpoint),
		UsePathStyle: true,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: cfg.AccessKey, SecretAccessKey: cfg.SecretKey}, nil
		}),
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(cfg.Bucket)}); err != nil {
		tb.Fatalf("create bucket %s: %v", cfg.Bucket, err)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
