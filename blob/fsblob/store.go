// Package fsblob is the embedded sird.BlobStore: attachment bytes live in a
// local directory and the presigned URLs point back at sird itself, at the
// handler returned by Store.Handler, mounted under PathPrefix.
package fsblob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/blob"
)

// PathPrefix is where sird mounts Handler, outside the /v1/ API.
const PathPrefix = "/_sird/blobs/"

// Store keeps blobs as files under a directory: key "a/b/c" is file dir/a/b/c.
// All file access goes through os.Root, so even a key that slipped past
// blob.ValidKey could not reach outside dir.
type Store struct {
	dir       string
	secret    []byte
	publicURL string
	now       func() time.Time
	tracker   atomic.Pointer[trackerBox]
}

// trackerBox lets an interface value sit behind an atomic.Pointer.
type trackerBox struct{ t sird.UploadTracker }

// New returns a store keeping files under dir (created when first needed),
// signing URLs with secret and handing out URLs under publicURL (scheme and
// host that clients reach sird on, e.g. "https://sird.example"). Uploads are
// refused until a tracker is set, here or with SetTracker. now may be nil for
// time.Now. New panics on an empty secret: URLs signed with it could be forged.
func New(dir string, secret []byte, publicURL string, tracker sird.UploadTracker, now func() time.Time) *Store {
	if len(secret) == 0 {
		panic("fsblob: empty signing secret")
	}
	if now == nil {
		now = time.Now
	}
	s := &Store{
		dir:       dir,
		secret:    append([]byte(nil), secret...),
		publicURL: strings.TrimRight(publicURL, "/"),
		now:       now,
	}
	s.SetTracker(tracker)
	return s
}

// SetTracker sets the tracker told about uploads. It exists because the
// domain service that tracks uploads is itself built on the blob store.
func (s *Store) SetTracker(t sird.UploadTracker) {
	if t == nil {
		s.tracker.Store(nil)
		return
	}
	s.tracker.Store(&trackerBox{t})
}

func (s *Store) currentTracker() sird.UploadTracker {
	if b := s.tracker.Load(); b != nil {
		return b.t
	}
	return nil
}

var _ sird.BlobStore = (*Store)(nil)

// PresignUpload implements sird.BlobStore.
func (s *Store) PresignUpload(_ context.Context, key string, size int64, expires time.Time) (string, error) {
	if err := blob.ValidKey(key); err != nil {
		return "", fmt.Errorf("fsblob: presign upload %q: %w", key, err)
	}
	if size < 0 {
		return "", fmt.Errorf("fsblob: presign upload %q: negative size %d", key, size)
	}
	return s.url(grant{op: opPut, key: key, expires: expires.Unix(), size: size}), nil
}

// PresignDownload implements sird.BlobStore.
func (s *Store) PresignDownload(_ context.Context, key, fileName string, expires time.Time) (string, error) {
	if err := blob.ValidKey(key); err != nil {
		return "", fmt.Errorf("fsblob: presign download %q: %w", key, err)
	}
	return s.url(grant{op: opGet, key: key, expires: expires.Unix(), size: -1, name: fileName}), nil
}

// Stat implements sird.BlobStore. The digest is computed by reading the file:
// Stat is rare (the tracker already got size and digest at upload), and a
// digest kept beside the file could go stale.
func (s *Store) Stat(_ context.Context, key string) (sird.BlobInfo, error) {
	if blob.ValidKey(key) != nil {
		return sird.BlobInfo{}, sird.ErrNotExist
	}
	root, err := s.openRoot()
	if err != nil {
		return sird.BlobInfo{}, err
	}
	defer root.Close()
	f, _, err := openBlob(root, key)
	if err != nil {
		return sird.BlobInfo{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return sird.BlobInfo{}, fmt.Errorf("fsblob: stat %q: %w", key, err)
	}
	return sird.BlobInfo{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// Delete implements sird.BlobStore. Only regular files are removed: a key
// that names a directory holds no blob.
func (s *Store) Delete(_ context.Context, key string) error {
	if blob.ValidKey(key) != nil {
		return nil // no such key can have been stored
	}
	root, err := s.openRoot()
	if err != nil {
		return err
	}
	defer root.Close()
	fi, err := root.Lstat(key)
	if err != nil {
		if missing(err) {
			return nil
		}
		return fmt.Errorf("fsblob: delete %q: %w", key, err)
	}
	if !fi.Mode().IsRegular() {
		return nil
	}
	if err := root.Remove(key); err != nil && !missing(err) {
		return fmt.Errorf("fsblob: delete %q: %w", key, err)
	}
	return nil
}

// openRoot opens dir, creating it on first use, so New needs no error return.
func (s *Store) openRoot() (*os.Root, error) {
	root, err := os.OpenRoot(s.dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err = os.MkdirAll(s.dir, 0o750); err == nil {
			root, err = os.OpenRoot(s.dir)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("fsblob: open %s: %w", s.dir, err)
	}
	return root, nil
}

// openBlob opens key's regular file; sird.ErrNotExist when there is none.
func openBlob(root *os.Root, key string) (*os.File, fs.FileInfo, error) {
	f, err := root.Open(key)
	if err != nil {
		if missing(err) {
			return nil, nil, sird.ErrNotExist
		}
		return nil, nil, fmt.Errorf("fsblob: open %q: %w", key, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("fsblob: stat %q: %w", key, err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, sird.ErrNotExist
	}
	return f, fi, nil
}

// missing covers ENOTDIR too: key "a/b" when "a" is a file names nothing.
func missing(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}
