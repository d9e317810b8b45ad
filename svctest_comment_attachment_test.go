package sird_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/blob/fsblob"
)

func TestComments(t *testing.T) {
	e := newTestEnv(t)
	c := callerOf(acctMgmt)
	bob := asUser(c, "bob")
	e.createMembership(t, c, false)
	id := e.createCase(t, c, nil)

	var ids []string
	for i := range 12 {
		e.clock.Advance(time.Second)
		who := c
		if i%3 == 2 {
			who = bob
		}
		out, err := e.svc.CreateCaseComment(e.ctx, who, &sird.CreateCaseCommentInput{CaseID: id, Body: fmt.Sprint("comment ", i+1)})
		mustOK(t, err, "CreateCaseComment")
		ids = append(ids, out.CommentID)
	}
	for i, got := range ids {
		if want := fmt.Sprintf("%06d", i+1); got != want {
			t.Errorf("comment %d has ID %q, want %q", i, got, want)
		}
	}
	// Listed oldest first, page by page, with the total.
	in := &sird.ListCommentsInput{CaseID: id, MaxResults: ptr(5)}
	var listed []sird.Comment
	for {
		out, err := e.svc.ListComments(e.ctx, c, in)
		mustOK(t, err, "ListComments")
		if out.Total != 12 {
			t.Errorf("ListComments total %d, want 12", out.Total)
		}
		listed = append(listed, out.Items...)
		if out.NextToken == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	if len(listed) != 12 {
		t.Fatalf("listed %d comments, want 12", len(listed))
	}
	for i, cm := range listed {
		wantCreator := c.Principal
		if i%3 == 2 {
			wantCreator = bob.Principal
		}
		at := testEpoch.Add(time.Duration(i+1) * time.Second)
		if cm.ID != ids[i] || cm.Body != fmt.Sprint("comment ", i+1) || cm.Creator != wantCreator || !cm.CreatedDate.Equal(at) ||
			cm.LastUpdatedBy != wantCreator || cm.LastUpdatedDate == nil || !cm.LastUpdatedDate.Equal(at) {
			t.Errorf("comment %d = %s; want ID %s by %s at %v", i, fmtList(cm), ids[i], wantCreator, at)
		}
	}

	// Only the creator edits a comment.
	_, err := e.svc.UpdateCaseComment(e.ctx, bob, &sird.UpdateCaseCommentInput{CaseID: id, CommentID: "000001", Body: "hijack"})
	wantCode(t, err, sird.ErrAccessDenied, "UpdateCaseComment by another principal")
	_, err = e.svc.UpdateCaseComment(e.ctx, c, &sird.UpdateCaseCommentInput{CaseID: id, CommentID: "000003", Body: "hijack"})
	wantCode(t, err, sird.ErrAccessDenied, "UpdateCaseComment of bob's comment by alice")
	_, err = e.svc.UpdateCaseComment(e.ctx, c, &sird.UpdateCaseCommentInput{CaseID: id, CommentID: "000099", Body: "x"})
	wantCode(t, err, sird.ErrResourceNotFound, "UpdateCaseComment of a missing comment")
	e.clock.Advance(time.Minute)
	up, err := e.svc.UpdateCaseComment(e.ctx, c, &sird.UpdateCaseCommentInput{CaseID: id, CommentID: "000001", Body: "edited"})
	mustOK(t, err, "UpdateCaseComment by its creator")
	if up.CommentID != "000001" || up.Body != "edited" {
		t.Errorf("UpdateCaseComment = %+v", up)
	}
	first, err := e.svc.ListComments(e.ctx, c, &sird.ListCommentsInput{CaseID: id, MaxResults: ptr(1)})
	mustOK(t, err, "ListComments")
	if cm := first.Items[0]; cm.Body != "edited" || cm.LastUpdatedBy != c.Principal || !cm.LastUpdatedDate.Equal(e.clock.Now()) ||
		!cm.CreatedDate.Equal(testEpoch.Add(time.Second)) {
		t.Errorf("edited comment %s", fmtList(cm))
	}

	// Comments of a case are not visible through another account.
	e.createMembership(t, callerOf(acctOther), false)
	_, err = e.svc.ListComments(e.ctx, callerOf(acctOther), &sird.ListCommentsInput{CaseID: id})
	wantCode(t, err, sird.ErrResourceNotFound, "ListComments by another account")
	_, err = e.svc.CreateCaseComment(e.ctx, callerOf(acctOther), &sird.CreateCaseCommentInput{CaseID: id, Body: "x"})
	wantCode(t, err, sird.ErrResourceNotFound, "CreateCaseComment by another account")

	// History: created + 12 comments + 1 edit.
	edits, total := e.allEdits(t, c, id)
	if total != 14 || len(edits) != 14 || edits[13].Action != sird.ActionCommentUpdated {
		t.Errorf("history total %d, %d items, last %s; want 14 ending with %s", total, len(edits), fmtList(edits[len(edits)-1]), sird.ActionCommentUpdated)
	}

	// Closed: no new comments, no edits.
	_, err = e.svc.CloseCase(e.ctx, c, &sird.CaseIDInput{CaseID: id})
	mustOK(t, err, "CloseCase")
	_, err = e.svc.CreateCaseComment(e.ctx, c, &sird.CreateCaseCommentInput{CaseID: id, Body: "late"})
	wantCode(t, err, sird.ErrConflict, "CreateCaseComment on a closed case")
	_, err = e.svc.UpdateCaseComment(e.ctx, c, &sird.UpdateCaseCommentInput{CaseID: id, CommentID: "000001", Body: "late"})
	wantCode(t, err, sird.ErrConflict, "UpdateCaseComment on a closed case")
}

func TestCommentClientToken(t *testing.T) {
	e := newTestEnv(t)
	c := callerOf(acctMgmt)
	e.createMembership(t, c, false)
	a, b := e.createCase(t, c, nil), e.createCase(t, c, nil)
	in := &sird.CreateCaseCommentInput{CaseID: a, ClientToken: "ct", Body: "once"}
	first, err := e.svc.CreateCaseComment(e.ctx, c, in)
	mustOK(t, err, "CreateCaseComment")
	again, err := e.svc.CreateCaseComment(e.ctx, c, in)
	mustOK(t, err, "retry")
	if again.CommentID != first.CommentID {
		t.Errorf("retry created %s, want %s", again.CommentID, first.CommentID)
	}
	_, err = e.svc.CreateCaseComment(e.ctx, c, &sird.CreateCaseCommentInput{CaseID: a, ClientToken: "ct", Body: "other"})
	wantCode(t, err, sird.ErrConflict, "same token, different body")
	// The token is per case.
	other, err := e.svc.CreateCaseComment(e.ctx, c, &sird.CreateCaseCommentInput{CaseID: b, ClientToken: "ct", Body: "once"})
	mustOK(t, err, "same token on another case")
	if other.CommentID != "000001" {
		t.Errorf("first comment of another case has ID %s, want 000001", other.CommentID)
	}
	list, err := e.svc.ListComments(e.ctx, c, &sird.ListCommentsInput{CaseID: a})
	mustOK(t, err, "ListComments")
	if list.Total != 1 || len(list.Items) != 1 {
		t.Errorf("case has %d comments (total %d), want 1", len(list.Items), list.Total)
	}
}

// attachment identifies one attachment: its blob key and upload URL.
type attachment struct {
	id, key, url string
	size         int64
}

func (e *testEnv) requestUpload(t *testing.T, c sird.Caller, caseID, name string, size int64) attachment {
	t.Helper()
	before := e.storedCase(t, c, caseID).CaseAttachments
	out, err := e.svc.GetCaseAttachmentUploadURL(e.ctx, c, &sird.GetCaseAttachmentUploadURLInput{CaseID: caseID, FileName: name, ContentLength: size})
	mustOK(t, err, "GetCaseAttachmentUploadURL")
	after := e.storedCase(t, c, caseID).CaseAttachments
	if len(after) != len(before)+1 {
		t.Fatalf("GetCaseAttachmentUploadURL: %d attachments, want %d", len(after), len(before)+1)
	}
	a := after[len(after)-1]
	key := c.AccountID + "/" + c.Region + "/" + caseID + "/" + a.ID
	if a.Status != sird.AttachmentPending || a.BlobKey != key || a.Size != size || a.FileName != name || a.Creator != c.Principal {
		t.Errorf("new attachment %s; want Pending, key %s, %d bytes", fmtList(a), key, size)
	}
	if !strings.Contains(out.AttachmentPresignedURL, fsblob.PathPrefix+key+"?") {
		t.Errorf("upload URL %q does not name %s", out.AttachmentPresignedURL, key)
	}
	return attachment{id: a.ID, key: key, url: out.AttachmentPresignedURL, size: size}
}

func (e *testEnv) attachment(t *testing.T, c sird.Caller, caseID, id string) sird.Attachment {
	t.Helper()
	for _, a := range e.storedCase(t, c, caseID).CaseAttachments {
		if a.ID == id {
			return a
		}
	}
	t.Fatalf("attachment %s not found on case %s", id, caseID)
	return sird.Attachment{}
}

// put sends body to a presigned URL through the embedded store's handler.
func put(t *testing.T, srv *httptest.Server, presigned string, body []byte) *http.Response {
	t.Helper()
	u, err := url.Parse(presigned)
	if err != nil {
		t.Fatalf("parse %q: %v", presigned, err)
	}
	req, err := http.NewRequest(http.MethodPut, srv.URL+u.RequestURI(), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("PUT: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func TestAttachmentUploadThroughHandler(t *testing.T) {
	e := newTestEnv(t)
	c := callerOf(acctMgmt)
	e.createMembership(t, c, false)
	id := e.createCase(t, c, nil)
	srv := httptest.NewServer(e.blobs.Handler())
	defer srv.Close()

	body := []byte("evidence: 203.0.113.9 exfiltrated s3://bucket\n")
	a := e.requestUpload(t, c, id, "evidence.txt", int64(len(body)))

	// A download URL exists only for Verified attachments.
	_, err := e.svc.GetCaseAttachmentDownloadURL(e.ctx, c, &sird.GetCaseAttachmentDownloadURLInput{CaseID: id, AttachmentID: a.id})
	wantCode(t, err, sird.ErrConflict, "download URL of a Pending attachment")

	if resp := put(t, srv, a.url, body[:10]); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("PUT of the wrong size: status %d, want 400", resp.StatusCode)
	}
	if got := e.attachment(t, c, id, a.id); got.Status != sird.AttachmentPending || got.Claimed {
		t.Errorf("after a refused PUT: %s; want Pending and unclaimed", fmtList(got))
	}
	if resp := put(t, srv, a.url, body); resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT: status %d, want 200", resp.StatusCode)
	}
	sum := sha256.Sum256(body)
	got := e.attachment(t, c, id, a.id)
	if got.Status != sird.AttachmentVerified || got.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("after upload: %s; want Verified with sha256 %x", fmtList(got), sum)
	}
	if resp := put(t, srv, a.url, body); resp.StatusCode != http.StatusConflict {
		t.Errorf("second PUT: status %d, want 409", resp.StatusCode)
	}
	g := e.getCase(t, c, id)
	if len(g.CaseAttachments) != 1 || g.CaseAttachments[0].AttachmentStatus != sird.AttachmentVerified || g.CaseAttachments[0].FileName != "evidence.txt" {
		t.Errorf("GetCase attachments %s; want the Verified evidence.txt", fmtList(g.CaseAttachments))
	}

	dl, err := e.svc.GetCaseAttachmentDownloadURL(e.ctx, c, &sird.GetCaseAttachmentDownloadURLInput{CaseID: id, AttachmentID: a.id})
	mustOK(t, err, "GetCaseAttachmentDownloadURL")
	u, _ := url.Parse(dl.AttachmentPresignedURL)
	resp, err := srv.Client().Get(srv.URL + u.RequestURI())
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	got2, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got2, body) {
		t.Errorf("download: status %d body %q; want 200 and the uploaded bytes", resp.StatusCode, got2)
	}
	_, err = e.svc.GetCaseAttachmentDownloadURL(e.ctx, c, &sird.GetCaseAttachmentDownloadURLInput{CaseID: id, AttachmentID: "nope"})
	wantCode(t, err, sird.ErrResourceNotFound, "download URL of a missing attachment")
	_, err = e.svc.GetCaseAttachmentDownloadURL(e.ctx, callerOf(acctOther), &sird.GetCaseAttachmentDownloadURLInput{CaseID: id, AttachmentID: a.id})
	wantCode(t, err, sird.ErrResourceNotFound, "download URL by another account")

	// A closed case still serves its attachments.
	_, err = e.svc.CloseCase(e.ctx, c, &sird.CaseIDInput{CaseID: id})
	mustOK(t, err, "CloseCase")
	_, err = e.svc.GetCaseAttachmentDownloadURL(e.ctx, c, &sird.GetCaseAttachmentDownloadURLInput{CaseID: id, AttachmentID: a.id})
	mustOK(t, err, "download URL on a closed case")

	var actions []string
	edits, _ := e.allEdits(t, c, id)
	for _, ed := range edits {
		actions = append(actions, ed.Action)
	}
	want := []string{sird.ActionCaseCreated, sird.ActionAttachmentRequested, sird.ActionAttachmentUploaded, sird.ActionAttachmentDownload,
		sird.ActionCaseClosed}
	if len(actions) < len(want) || !slices.Equal(actions[:len(want)], want) {
		t.Errorf("history %v, want %v", actions, want)
	}
}

func TestClaimAndFinishUpload(t *testing.T) {
	e := newTestEnv(t)
	c := callerOf(acctMgmt)
	e.createMembership(t, c, false)
	id := e.createCase(t, c, nil)

	a := e.requestUpload(t, c, id, "a.bin", 100)
	err := e.svc.ClaimUpload(e.ctx, a.key, 99)
	wantCode(t, err, sird.ErrValidation, "ClaimUpload of the wrong size")
	mustOK(t, e.svc.ClaimUpload(e.ctx, a.key, 100), "ClaimUpload")
	err = e.svc.ClaimUpload(e.ctx, a.key, 100)
	wantCode(t, err, sird.ErrConflict, "second ClaimUpload")
	if got := e.attachment(t, c, id, a.id); got.Status != sird.AttachmentPending || !got.Claimed {
		t.Errorf("claimed attachment %s; want Pending and claimed", fmtList(got))
	}
	mustOK(t, e.svc.FinishUpload(e.ctx, a.key, sird.BlobInfo{Size: 100, SHA256: "ab12"}, nil), "FinishUpload")
	if got := e.attachment(t, c, id, a.id); got.Status != sird.AttachmentVerified || got.SHA256 != "ab12" {
		t.Errorf("finished attachment %s; want Verified with sha256 ab12", fmtList(got))
	}
	err = e.svc.ClaimUpload(e.ctx, a.key, 100)
	wantCode(t, err, sird.ErrConflict, "ClaimUpload of a Verified attachment")
	// A late report changes nothing once settled.
	mustOK(t, e.svc.FinishUpload(e.ctx, a.key, sird.BlobInfo{}, fmt.Errorf("late failure")), "late FinishUpload")
	if got := e.attachment(t, c, id, a.id); got.Status != sird.AttachmentVerified {
		t.Errorf("late failure changed the attachment to %s", got.Status)
	}

	// A failed upload, and a "success" of the wrong size, are Failed.
	b := e.requestUpload(t, c, id, "b.bin", 10)
	mustOK(t, e.svc.ClaimUpload(e.ctx, b.key, 10), "ClaimUpload")
	mustOK(t, e.svc.FinishUpload(e.ctx, b.key, sird.BlobInfo{}, fmt.Errorf("client went away")), "FinishUpload(failure)")
	if got := e.attachment(t, c, id, b.id); got.Status != sird.AttachmentFailed {
		t.Errorf("failed upload is %s, want Failed", got.Status)
	}
	d := e.requestUpload(t, c, id, "d.bin", 10)
	mustOK(t, e.svc.ClaimUpload(e.ctx, d.key, 10), "ClaimUpload")
	mustOK(t, e.svc.FinishUpload(e.ctx, d.key, sird.BlobInfo{Size: 9, SHA256: "x"}, nil), "FinishUpload(short)")
	if got := e.attachment(t, c, id, d.id); got.Status != sird.AttachmentFailed {
		t.Errorf("short upload is %s, want Failed", got.Status)
	}
	_, err = e.svc.GetCaseAttachmentDownloadURL(e.ctx, c, &sird.GetCaseAttachmentDownloadURLInput{CaseID: id, AttachmentID: b.id})
	wantCode(t, err, sird.ErrConflict, "download URL of a Failed attachment")

	// Expired URLs are refused.
	x := e.requestUpload(t, c, id, "x.bin", 5)
	e.clock.Advance(e.svc.UploadURLTTL + time.Second)
	err = e.svc.ClaimUpload(e.ctx, x.key, 5)
	wantCode(t, err, sird.ErrAccessDenied, "ClaimUpload after expiry")

	for _, key := range []string{"bad", c.AccountID + "/" + c.Region + "/" + id + "/missing", acctOther + "/" + c.Region + "/" + id + "/" + a.id} {
		wantCode(t, e.svc.ClaimUpload(e.ctx, key, 5), sird.ErrResourceNotFound, "ClaimUpload("+key+")")
	}
}

func TestCleanExpiredUploads(t *testing.T) {
	e := newTestEnv(t)
	c := callerOf(acctMgmt)
	e.createMembership(t, c, false)
	id := e.createCase(t, c, nil)
	blobPath := func(a attachment) string { return filepath.Join(e.blobDir, filepath.FromSlash(a.key)) }
	write := func(a attachment, n int) {
		t.Helper()
		p := blobPath(a)
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, bytes.Repeat([]byte("z"), n), 0o640); err != nil {
			t.Fatal(err)
		}
	}

	unused := e.requestUpload(t, c, id, "unused.bin", 8)
	partial := e.requestUpload(t, c, id, "partial.bin", 8)
	mustOK(t, e.svc.ClaimUpload(e.ctx, partial.key, 8), "ClaimUpload")
	write(partial, 3) // the upload stopped midway, and its bytes were left behind
	complete := e.requestUpload(t, c, id, "complete.bin", 8)
	mustOK(t, e.svc.ClaimUpload(e.ctx, complete.key, 8), "ClaimUpload")
	write(complete, 8) // stored, but the outcome was never reported
	e.clock.Advance(time.Minute)
	fresh := e.requestUpload(t, c, id, "fresh.bin", 8)

	// Nothing has expired yet.
	n, err := e.svc.CleanExpiredUploads(e.ctx, 100)
	mustOK(t, err, "CleanExpiredUploads")
	if n != 0 {
		t.Errorf("CleanExpiredUploads before expiry handled %d uploads, want 0", n)
	}

	e.clock.Advance(e.svc.UploadURLTTL - 30*time.Second) // the first three expired, fresh has not
	n, err = e.svc.CleanExpiredUploads(e.ctx, 100)
	mustOK(t, err, "CleanExpiredUploads")
	if n != 3 {
		t.Errorf("CleanExpiredUploads handled %d uploads, want 3", n)
	}
	sum := sha256.Sum256(bytes.Repeat([]byte("z"), 8))
	for _, tt := range []struct {
		a      attachment
		status string
		blob   bool
	}{
		{unused, sird.AttachmentFailed, false},
		{partial, sird.AttachmentFailed, false},
		{complete, sird.AttachmentVerified, true},
		{fresh, sird.AttachmentPending, false},
	} {
		got := e.attachment(t, c, id, tt.a.id)
		if got.Status != tt.status {
			t.Errorf("%s is %s, want %s", got.FileName, got.Status, tt.status)
		}
		if tt.status == sird.AttachmentVerified && got.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("%s has sha256 %q, want %x", got.FileName, got.SHA256, sum)
		}
		_, statErr := os.Stat(blobPath(tt.a))
		if exists := statErr == nil; exists != tt.blob {
			t.Errorf("%s: blob exists %t, want %t", got.FileName, exists, tt.blob)
		}
	}
	// Settled uploads are not looked at again.
	n, err = e.svc.CleanExpiredUploads(e.ctx, 100)
	mustOK(t, err, "CleanExpiredUploads again")
	if n != 0 {
		t.Errorf("second CleanExpiredUploads handled %d uploads, want 0", n)
	}
	_, err = e.svc.GetCaseAttachmentDownloadURL(e.ctx, c, &sird.GetCaseAttachmentDownloadURLInput{CaseID: id, AttachmentID: complete.id})
	mustOK(t, err, "download URL of the settled complete upload")
	_, err = e.svc.GetCaseAttachmentDownloadURL(e.ctx, c, &sird.GetCaseAttachmentDownloadURLInput{CaseID: id, AttachmentID: partial.id})
	wantCode(t, err, sird.ErrConflict, "download URL of the failed partial upload")
}

func TestAttachmentQuota(t *testing.T) {
	e := newTestEnv(t)
	c := callerOf(acctMgmt)
	e.createMembership(t, c, false)
	id := e.createCase(t, c, nil)
	for i := range 50 {
		_, err := e.svc.GetCaseAttachmentUploadURL(e.ctx, c, &sird.GetCaseAttachmentUploadURLInput{CaseID: id, FileName: fmt.Sprint(i, ".txt"), ContentLength: 1})
		mustOK(t, err, fmt.Sprint("upload URL ", i+1))
	}
	before := e.caseBytes(t, c, id)
	_, err := e.svc.GetCaseAttachmentUploadURL(e.ctx, c, &sird.GetCaseAttachmentUploadURLInput{CaseID: id, FileName: "51.txt", ContentLength: 1})
	qe := wantCode(t, err, sird.ErrServiceQuotaExceeded, "51st upload URL")
	if qe.ResourceID != id || qe.ResourceType == "" || qe.ServiceCode != "security-ir" || qe.QuotaCode == "" {
		t.Errorf("quota error resourceId %q resourceType %q serviceCode %q quotaCode %q; want the case %s, security-ir and a quota code",
			qe.ResourceID, qe.ResourceType, qe.ServiceCode, qe.QuotaCode, id)
	}
	if after := e.caseBytes(t, c, id); string(after) != string(before) {
		t.Errorf("refused upload URL changed the case")
	}
}

func TestUploadURLClientToken(t *testing.T) {
	e := newTestEnv(t)
	c := callerOf(acctMgmt)
	e.createMembership(t, c, false)
	id := e.createCase(t, c, nil)
	in := &sird.GetCaseAttachmentUploadURLInput{CaseID: id, FileName: "a.txt", ContentLength: 4, ClientToken: "ut"}
	first, err := e.svc.GetCaseAttachmentUploadURL(e.ctx, c, in)
	mustOK(t, err, "GetCaseAttachmentUploadURL")
	again, err := e.svc.GetCaseAttachmentUploadURL(e.ctx, c, in)
	mustOK(t, err, "retry")
	if again.AttachmentPresignedURL != first.AttachmentPresignedURL {
		t.Errorf("retry answered %q, want %q", again.AttachmentPresignedURL, first.AttachmentPresignedURL)
	}
	if n := len(e.storedCase(t, c, id).CaseAttachments); n != 1 {
		t.Errorf("%d attachments after a retry, want 1", n)
	}
	_, err = e.svc.GetCaseAttachmentUploadURL(e.ctx, c, &sird.GetCaseAttachmentUploadURLInput{CaseID: id, FileName: "b.txt", ContentLength: 4, ClientToken: "ut"})
	wantCode(t, err, sird.ErrConflict, "same token, different request")
	// Once the URL was used, a retry cannot hand it out again.
	a := e.storedCase(t, c, id).CaseAttachments[0]
	mustOK(t, e.svc.ClaimUpload(e.ctx, a.BlobKey, 4), "ClaimUpload")
	_, err = e.svc.GetCaseAttachmentUploadURL(e.ctx, c, in)
	wantCode(t, err, sird.ErrConflict, "retry after the URL was used")
}
