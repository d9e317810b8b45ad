package sird

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"time"
)

// Service carries out every operation of the API on top of a Store. It owns
// the business rules (who sees what, the case state machine, idempotency,
// limits); the HTTP adapter only decodes, calls and encodes.
type Service struct {
	store  Store
	blobs  BlobStore
	now    func() time.Time
	rand   io.Reader
	tokens *PageTokens
	log    *slog.Logger
	active activeCache

	// UploadURLTTL is how long an attachment upload URL stays valid.
	UploadURLTTL time.Duration
	// DownloadURLTTL is how long a download URL stays valid.
	DownloadURLTTL time.Duration
	// OnEvents, if set, is called after each write that added outbox
	// events has committed, e.g. to wake the notifier. It must not block.
	OnEvents func()
}

// Config gathers the Service's dependencies. Now and Rand are injected so
// tests are deterministic.
type Config struct {
	Store     Store
	Blobs     BlobStore
	MasterKey []byte
	Now       func() time.Time
	Rand      io.Reader
	Log       *slog.Logger
}

// NewService builds a Service; zero Now, Rand and Log take the real ones.
func NewService(c Config) *Service {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	return &Service{
		store: c.Store, blobs: c.Blobs, now: c.Now, rand: c.Rand, log: c.Log,
		tokens:         NewPageTokens(c.MasterKey, c.Rand, c.Now),
		UploadURLTTL:   15 * time.Minute,
		DownloadURLTTL: 15 * time.Minute,
	}
}

// Store exposes the underlying store to adapters that need it (admin commands).
func (s *Service) Store() Store { return s.store }

func (s *Service) clock() Time { return At(s.now().UTC()) }

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// randomString draws n characters of alphabet from the injected randomness.
func (s *Service) randomString(alphabet string, n int) string {
	return randomFrom(s.rand, alphabet, n)
}

func (s *Service) newUUID() string {
	var b [16]byte
	if _, err := io.ReadFull(s.rand, b[:]); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	return formatUUID(b)
}

// newEventID returns a version 7 UUID (RFC 9562): the event time's
// milliseconds, then randomness. Time-ordered IDs land next to each other
// in the events index, so a burst of events dirties a few index pages
// instead of one random page each.
func (s *Service) newEventID(at Time) string {
	var b [16]byte
	if _, err := io.ReadFull(s.rand, b[6:]); err != nil {
		panic(err)
	}
	ms := uint64(at.UnixMilli())
	for i := 5; i >= 0; i-- {
		b[i] = byte(ms)
		ms >>= 8
	}
	b[6] = b[6]&0x0f | 0x70
	return formatUUID(b)
}

// formatUUID sets the RFC 9562 variant bits of b, whose version nibble the
// caller has set, and writes it in the 8-4-4-4-12 form.
func formatUUID(b [16]byte) string {
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// idempotent looks up an earlier result for token. found reports a retry of
// the same request; a different request with the same token is a conflict.
func idempotent(tx Tx, scope, token string, digest requestDigest) (resourceID string, found bool, err error) {
	if token == "" {
		return "", false, nil
	}
	gotHash, id, err := tx.GetIdempotency(scope, token)
	if errors.Is(err, ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	if !digest.matches(gotHash) {
		return "", false, Conflict("clientToken", token,
			"The clientToken %s was already used with a different request.", token)
	}
	return id, true, nil
}

// claimIdempotency records token for the resource about to be created. If
// the token was already recorded, it answers as idempotent does: the earlier
// resource for a retry of the same request, a conflict for a different one.
func claimIdempotency(tx Tx, scope, token string, digest requestDigest, resourceID string, at Time) (prior string, found bool, err error) {
	if token == "" {
		return "", false, nil
	}
	err = tx.PutIdempotency(scope, token, digest.sum, resourceID, at.Time)
	if !errors.Is(err, ErrDuplicate) {
		return "", false, err
	}
	prior, found, err = idempotent(tx, scope, token, digest)
	if err == nil && !found {
		// The competing record is not visible to this transaction (a
		// concurrent one that PostgreSQL waited for): retry afresh.
		return "", false, ErrDuplicate
	}
	return prior, found, err
}

func (s *Service) write(ctx context.Context, fn func(Tx) error) error {
	if s.OnEvents == nil {
		return s.store.Write(ctx, fn)
	}
	var added bool
	err := s.store.Write(ctx, func(tx Tx) error {
		added = false // fn may run again after a serialization failure
		return fn(eventTx{tx, &added})
	})
	if err == nil && added {
		s.OnEvents()
	}
	return err
}

// eventTx notes whether a transaction added outbox events.
type eventTx struct {
	Tx
	added *bool
}

func (t eventTx) AddEvent(e *Event) error {
	*t.added = true
	return t.Tx.AddEvent(e)
}

func (s *Service) read(ctx context.Context, fn func(Tx) error) error {
	return s.store.Read(ctx, fn)
}

// pageLimit applies the model's default page size.
func pageLimit(max *int) int {
	if max == nil || *max <= 0 {
		return 25
	}
	return *max
}

// SetBlobs sets the attachment store. It is separate from NewService because
// the embedded store reports uploads back to the service.
func (s *Service) SetBlobs(b BlobStore) { s.blobs = b }
