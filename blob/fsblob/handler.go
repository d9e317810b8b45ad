package fsblob

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/blob"
)

// Handler serves the presigned URLs. Mount it at PathPrefix without stripping
// the prefix: it reads the key from the full request path.
func (s *Store) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

func (s *Store) serveHTTP(w http.ResponseWriter, r *http.Request) {
	var op string
	switch r.Method {
	case http.MethodPut:
		op = opPut
	case http.MethodGet, http.MethodHead:
		op = opGet
	default:
		w.Header().Set("Allow", "GET, HEAD, PUT")
		writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "method "+r.Method+" is not allowed")
		return
	}
	// r.URL.Path is decoded exactly once; whatever a second encoding hides
	// (%252e) stays a '%' that ValidKey refuses.
	key, ok := strings.CutPrefix(r.URL.Path, PathPrefix)
	if !ok || blob.ValidKey(key) != nil {
		writeError(w, http.StatusBadRequest, "InvalidURI", "invalid blob path")
		return
	}
	g, err := s.verify(key, r.URL.RawQuery)
	if err == nil && g.op != op {
		err = errSignature // a download URL never uploads, and the reverse
	}
	if err != nil {
		writeError(w, http.StatusForbidden, "AccessDenied", err.Error())
		return
	}
	if op == opPut {
		s.serveUpload(w, r, g)
		return
	}
	s.serveDownload(w, r, g)
}

func (s *Store) serveDownload(w http.ResponseWriter, r *http.Request, g grant) {
	root, err := s.openRoot()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "InternalError", "blob storage unavailable")
		return
	}
	defer root.Close()
	f, fi, err := openBlob(root, g.key)
	if err != nil {
		if errors.Is(err, sird.ErrNotExist) {
			writeError(w, http.StatusNotFound, "NoSuchKey", "the blob does not exist")
			return
		}
		writeError(w, http.StatusInternalServerError, "InternalError", "cannot read blob")
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", blob.ContentDisposition(g.name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	// ServeContent sets Content-Length and handles HEAD and Range.
	http.ServeContent(w, r, "", fi.ModTime(), f)
}

// writeError answers like the API does: {"__type": ..., "message": ...}.
func writeError(w http.ResponseWriter, status int, typ, msg string) {
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{typ, msg})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Amzn-ErrorType", typ)
	w.WriteHeader(status)
	w.Write(body)
}
