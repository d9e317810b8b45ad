package fsblob

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"strings"

	"github.com/sird-project/sird"
)

// tmpPrefix starts the names of files being uploaded. '~' is outside the key
// alphabet, so no key names a temp file and no temp file is ever served.
const tmpPrefix = "~upload-"

var (
	errShortBody = errors.New("body is shorter than Content-Length")
	errLongBody  = errors.New("body is longer than Content-Length")
)

func (s *Store) serveUpload(w http.ResponseWriter, r *http.Request, g grant) {
	if r.ContentLength < 0 || r.Header.Get("Content-Length") == "" {
		writeError(w, http.StatusLengthRequired, "MissingContentLength", "Content-Length is required")
		return
	}
	if r.ContentLength != g.size {
		writeError(w, http.StatusBadRequest, "ContentLengthMismatch",
			fmt.Sprintf("Content-Length %d is not the signed size %d", r.ContentLength, g.size))
		return
	}
	tracker := s.currentTracker()
	if tracker == nil {
		writeError(w, http.StatusServiceUnavailable, "ServiceUnavailable", "uploads are not enabled")
		return
	}
	if err := tracker.ClaimUpload(r.Context(), g.key, g.size); err != nil {
		status, typ, msg := claimError(err)
		writeError(w, status, typ, msg)
		return
	}
	// Once claimed the outcome must reach the tracker even if the client has
	// gone and taken the request context with it.
	ctx := context.WithoutCancel(r.Context())
	info, err := s.write(g.key, r.Body, g.size)
	if err != nil {
		_ = tracker.FinishUpload(ctx, g.key, sird.BlobInfo{}, err)
		if errors.Is(err, errShortBody) || errors.Is(err, errLongBody) {
			writeError(w, http.StatusBadRequest, "IncompleteBody", err.Error())
			return
		}
		writeError(w, http.StatusInternalServerError, "InternalError", "cannot store blob")
		return
	}
	if err := tracker.FinishUpload(ctx, g.key, info, nil); err != nil {
		// The bytes are stored; Stat finds them should the tracker reconcile.
		writeError(w, http.StatusInternalServerError, "InternalError", "cannot record upload")
		return
	}
	w.Header().Set("ETag", `"`+info.SHA256+`"`)
	w.WriteHeader(http.StatusOK)
}

// claimError maps a tracker's refusal: a service error keeps its own status
// and name (the domain tells "used" from "expired" from a failure); any other
// error reads as "already used". Server-side failures keep their details.
func claimError(err error) (status int, typ, msg string) {
	if e, ok := sird.AsError(err); ok {
		if e.Code.Status() >= 500 {
			return e.Code.Status(), e.Code.Name(), "cannot accept the upload now"
		}
		return e.Code.Status(), e.Code.Name(), e.Message
	}
	return http.StatusConflict, "UploadAlreadyUsed", "upload refused: " + err.Error()
}

// write stores exactly size bytes of body under key: into a temp file beside
// the final one, synced, then renamed over it, so the final name only ever
// shows a complete blob. The temp file is removed on any failure.
func (s *Store) write(key string, body io.Reader, size int64) (info sird.BlobInfo, err error) {
	root, err := s.openRoot()
	if err != nil {
		return info, err
	}
	defer root.Close()
	dir := path.Dir(key)
	if err := root.MkdirAll(dir, 0o750); err != nil {
		return info, fmt.Errorf("fsblob: mkdir %q: %w", dir, err)
	}
	tmp := path.Join(dir, tmpPrefix+randomHex())
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return info, fmt.Errorf("fsblob: create temp: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			root.Remove(tmp)
		}
	}()
	h := sha256.New()
	// One byte past size tells a body longer than announced.
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(body, size+1))
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || err == nil && n < size:
		return info, errShortBody
	case err != nil:
		return info, fmt.Errorf("fsblob: receive %q: %w", key, err)
	case n > size:
		return info, errLongBody
	}
	if err = f.Sync(); err != nil {
		return info, fmt.Errorf("fsblob: sync %q: %w", key, err)
	}
	if err = f.Close(); err != nil {
		return info, fmt.Errorf("fsblob: close %q: %w", key, err)
	}
	if err = root.Rename(tmp, key); err != nil {
		return info, fmt.Errorf("fsblob: rename %q: %w", key, err)
	}
	// The rename and any directories MkdirAll made last only once the
	// directories holding them are synced.
	if err = syncDirs(root, dir); err != nil {
		root.Remove(key) // not durable: do not leave a blob the tracker was told failed
		return info, err
	}
	return sird.BlobInfo{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// syncDirs fsyncs dir and each of its ancestors up to the root.
func syncDirs(root *os.Root, dir string) error {
	for {
		d, err := root.Open(dir)
		if err != nil {
			return fmt.Errorf("fsblob: open dir %q: %w", dir, err)
		}
		err = d.Sync()
		d.Close()
		if err != nil {
			return fmt.Errorf("fsblob: sync dir %q: %w", dir, err)
		}
		if dir == "." {
			return nil
		}
		dir = path.Dir(dir)
	}
}

func randomHex() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// isTemp tells an upload's temp file by name.
func isTemp(name string) bool { return strings.HasPrefix(name, tmpPrefix) }
