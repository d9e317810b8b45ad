package e2e

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sird-project/sird/blob/s3blob/s3test"
)

func TestBoto3Comments(t *testing.T) {
	t.Parallel()
	python3Boto3(t)
	s, creds := caseAccounts(t)
	res := s.py(t, "comments.py", creds)
	l := s.awsOK(t, creds["a"], "list-comments", "--case-id", str(res, "caseId"), "--max-results", "1")
	if num(l, "total") != 30 || str(l, "items", 0, "body") != "first, edited" {
		t.Errorf("CLI sees %v after the boto3 flow", l)
	}
}

func TestBoto3AttachmentsFS(t *testing.T) {
	t.Parallel()
	python3Boto3(t)
	s, creds := caseAccounts(t)
	s.py(t, "attachments.py", creds, "SIRD_BLOB_STORE=fs")
}

// TestAttachmentsS3 runs the upload/download flow with sird's S3 store on a
// real S3 server (versitygw): presigned URLs go to the bucket.
func TestAttachmentsS3(t *testing.T) {
	t.Parallel()
	awsCLI(t)
	python3Boto3(t)
	cfg := s3test.StartVersity(t)
	s := startServer(t, "SIRD_BLOB_STORE=s3", "SIRD_S3_ENDPOINT="+cfg.Endpoint, "SIRD_S3_BUCKET="+cfg.Bucket,
		"SIRD_S3_ACCESS_KEY="+cfg.AccessKey, "SIRD_S3_SECRET_KEY="+cfg.SecretKey, "SIRD_S3_REGION="+cfg.Region,
		"SIRD_S3_PREFIX="+cfg.Prefix)
	creds := map[string][2]string{
		"a": createKey(t, s.DataDir, "111111111111", "alice"),
		"b": createKey(t, s.DataDir, "222222222222", "bob"),
	}
	t.Run("boto3", func(t *testing.T) {
		s.py(t, "attachments.py", creds, "SIRD_BLOB_STORE=s3")
	})
	t.Run("cli", func(t *testing.T) {
		a := creds["a"]
		cid := str(s.awsOK(t, a, "create-case", "--resolver-type", "Self", "--title", "S3 attachments", "--description", "d",
			"--engagement-type", "Investigation", "--reported-incident-start-date", "1735787045",
			"--impacted-accounts", "[]", "--watchers", "[]"), "caseId")
		cliAttachmentRoundTrip(t, s, a, cid, "s3")
	})
}

func TestCLICommentsAndAttachments(t *testing.T) {
	t.Parallel()
	awsCLI(t)
	s, creds := caseAccounts(t)
	a, a2 := creds["a"], creds["a2"]
	s.awsOK(t, a, "create-membership", "--membership-name", "Security", "--incident-response-team", jsonArg(cliTeam))
	cid := str(s.awsOK(t, a, "create-case", "--resolver-type", "Self", "--title", "Comments", "--description", "d",
		"--engagement-type", "Investigation", "--reported-incident-start-date", "1735787045",
		"--impacted-accounts", "[]", "--watchers", "[]"), "caseId")

	// Comments: sequential 6-digit IDs, clientToken idempotency.
	comment := func(creds [2]string, body string, extra ...string) string {
		return str(s.awsOK(t, creds, append([]string{"create-case-comment", "--case-id", cid, "--body", body}, extra...)...), "commentId")
	}
	for i, got := range []string{
		comment(a, "first", "--client-token", "cli-comment-1"),
		comment(a2, "second, by dave"),
		comment(a, "third"),
	} {
		if want := fmt.Sprintf("%06d", i+1); got != want {
			t.Errorf("comment %d has ID %q, want %q", i+1, got, want)
		}
	}
	if got := comment(a, "first", "--client-token", "cli-comment-1"); got != "000001" {
		t.Errorf("retry with the same clientToken gave %q, want 000001", got)
	}
	s.awsErr(t, a, "ConflictException", "create-case-comment", "--case-id", cid, "--body", "changed", "--client-token", "cli-comment-1")

	l := s.awsOK(t, a, "list-comments", "--case-id", cid, "--page-size", "2")
	var bodies, creators []string
	for _, it := range list(l, "items") {
		bodies = append(bodies, str(it, "body"))
		creators = append(creators, strings.TrimPrefix(str(it, "creator"), "arn:aws:iam::111111111111:"))
	}
	if fmt.Sprint(bodies) != "[first second, by dave third]" || fmt.Sprint(creators) != "[user/alice user/dave user/alice]" || num(l, "total") != 3 {
		t.Errorf("list-comments: bodies %q creators %q total %v", bodies, creators, l["total"])
	}

	// Only the creator edits a comment.
	s.awsErr(t, a2, "AccessDeniedException", "update-case-comment", "--case-id", cid, "--comment-id", "000001", "--body", "dave was here")
	out := s.awsOK(t, a, "update-case-comment", "--case-id", cid, "--comment-id", "000001", "--body", "first, edited")
	wantJSON(t, "update-case-comment", out, map[string]string{"commentId": "000001", "body": "first, edited"})
	l = s.awsOK(t, a, "list-comments", "--case-id", cid, "--max-results", "1")
	if it := field(l, "items", 0); str(it, "body") != "first, edited" || str(it, "lastUpdatedBy") != "arn:aws:iam::111111111111:user/alice" ||
		l["nextToken"] == nil || num(l, "total") != 3 {
		t.Errorf("after the edit: %v", l)
	}

	cliAttachmentRoundTrip(t, s, a, cid, "fs")
}

// cliAttachmentRoundTrip uploads with Go's net/http through a URL from the
// CLI, checks the case shows it Verified and downloads exactly the bytes.
func cliAttachmentRoundTrip(t *testing.T, s *server, a [2]string, cid, store string) {
	t.Helper()
	data := make([]byte, 64<<10)
	rand.Read(data)
	up := str(s.awsOK(t, a, "get-case-attachment-upload-url", "--case-id", cid, "--file-name", "memory.dmp",
		"--content-length", fmt.Sprint(len(data))), "attachmentPresignedUrl")
	if st, _, body := httpDo(t, "PUT", up, data[:len(data)-1]); st < 400 || st >= 500 {
		t.Errorf("PUT of a shorter body: %d %s", st, body)
	}
	if st, _, body := httpDo(t, "PUT", tamperSignature(t, up), data); st != 403 {
		t.Errorf("PUT through a tampered URL: %d %s, want 403", st, body)
	}
	if st, _, body := httpDo(t, "PUT", up, data); st != 200 {
		t.Fatalf("PUT: %d %s", st, body)
	}
	if store == "fs" {
		if st, _, body := httpDo(t, "PUT", up, data); st != 409 {
			t.Errorf("second PUT through the same URL: %d %s, want 409", st, body)
		}
	}
	var aid string
	for _, it := range list(s.awsOK(t, a, "get-case", "--case-id", cid), "caseAttachments") {
		if str(it, "fileName") == "memory.dmp" {
			aid = str(it, "attachmentId")
			if st := str(it, "attachmentStatus"); st != "Verified" {
				t.Errorf("attachment status %q after the upload, want Verified", st)
			}
		}
	}
	if aid == "" {
		t.Fatalf("get-case lists no memory.dmp attachment")
	}
	dl := str(s.awsOK(t, a, "get-case-attachment-download-url", "--case-id", cid, "--attachment-id", aid), "attachmentPresignedUrl")
	st, h, body := httpDo(t, "GET", dl, nil)
	if st != 200 || !bytes.Equal(body, data) {
		t.Errorf("GET: %d, %d bytes (equal: %t), want 200 with the %d bytes uploaded", st, len(body), bytes.Equal(body, data), len(data))
	}
	if cd := h.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, "memory.dmp") {
		t.Errorf("Content-Disposition %q", cd)
	}
}

func httpDo(t *testing.T, method, u string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, u, r)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// tamperSignature changes the last character of a presigned URL's signature.
func tamperSignature(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	for k, v := range q {
		if strings.HasSuffix(strings.ToLower(k), "signature") {
			sig := v[0]
			last := byte('0')
			if sig[len(sig)-1] == '0' {
				last = '1'
			}
			q.Set(k, sig[:len(sig)-1]+string(last))
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	t.Fatalf("no signature in %s", raw)
	return ""
}
