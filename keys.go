package sird

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"io"
	"regexp"
	"sync"
	"time"
)

// Keyring issues and resolves access keys. Secrets are sealed with a key
// derived from the master key, which lives apart from the database, so the
// database alone does not reveal them.
type Keyring struct {
	store Store
	aead  cipher.AEAD
	rand  io.Reader
	now   func() time.Time
	// AllowDev accepts test/test while no keys exist (loopback dev mode).
	AllowDev bool

	mu    sync.Mutex
	cache map[string]cachedKey
	none  time.Time // until when "no keys exist" is known
}

type cachedKey struct {
	secret    string
	key       *AccessKey
	expiresAt time.Time
}

// keyCacheTTL bounds how long a disabled key may still work on a node that
// had it cached (other nodes of a PostgreSQL deployment).
const keyCacheTTL = 5 * time.Second

func NewKeyring(store Store, masterKey []byte, rand io.Reader, now func() time.Time) *Keyring {
	block, err := aes.NewCipher(DeriveKey(masterKey, "access-keys"))
	if err != nil {
		panic(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return &Keyring{store: store, aead: aead, rand: rand, now: now, cache: map[string]cachedKey{}}
}

var (
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
	userRE    = regexp.MustCompile(`^(user|role)/[A-Za-z0-9+=,.@_/-]{1,64}$`)
)

// Create issues a new key pair for a principal of an account; name is
// "user/NAME" or "role/NAME". The secret is returned once and never again.
func (k *Keyring) Create(ctx context.Context, account, name string) (id, secret string, err error) {
	if !accountRE.MatchString(account) {
		return "", "", errors.New("the account must be 12 digits")
	}
	if !userRE.MatchString(name) {
		return "", "", errors.New("the principal must be user/NAME or role/NAME")
	}
	id = "AKIA" + randomFrom(k.rand, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
	secret = randomFrom(k.rand, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40)
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := io.ReadFull(k.rand, nonce); err != nil {
		return "", "", err
	}
	ak := &AccessKey{
		ID: id, SecretEnc: k.aead.Seal(nonce, nonce, []byte(secret), []byte(id)),
		AccountID: account, Principal: "arn:aws:iam::" + account + ":" + name, CreatedAt: k.now().UTC(),
	}
	err = k.store.Write(ctx, func(tx Tx) error { return tx.PutAccessKey(ak) })
	k.mu.Lock()
	k.none = time.Time{}
	k.mu.Unlock()
	return id, secret, err
}

// List returns every key (secrets stay sealed).
func (k *Keyring) List(ctx context.Context) (keys []*AccessKey, err error) {
	err = k.store.Read(ctx, func(tx Tx) error { keys, err = tx.ListAccessKeys(); return err })
	return keys, err
}

// SetDisabled disables or re-enables a key.
func (k *Keyring) SetDisabled(ctx context.Context, id string, disabled bool) error {
	err := k.store.Write(ctx, func(tx Tx) error {
		ak, err := tx.GetAccessKey(id)
		if err != nil {
			return err
		}
		ak.Disabled = disabled
		return tx.PutAccessKey(ak)
	})
	k.mu.Lock()
	delete(k.cache, id)
	k.mu.Unlock()
	return err
}

var errUnknownKey = Errorf(ErrUnrecognizedClient, "The security token included in the request is invalid.")

// Resolve returns the secret and identity of an access key ID, or
// UnrecognizedClientException.
func (k *Keyring) Resolve(ctx context.Context, id string) (string, *AccessKey, error) {
	now := k.now()
	k.mu.Lock()
	c, ok := k.cache[id]
	devKnown := now.Before(k.none)
	k.mu.Unlock()
	if ok && now.Before(c.expiresAt) {
		if c.key == nil {
			return "", nil, errUnknownKey
		}
		return c.secret, c.key, nil
	}
	if id == DevAccessKeyID && k.AllowDev && (devKnown || k.noKeys(ctx, now)) {
		return DevSecretKey, &AccessKey{ID: DevAccessKeyID, AccountID: DevAccountID, Principal: DevPrincipal}, nil
	}
	var ak *AccessKey
	err := k.store.Read(ctx, func(tx Tx) (err error) { ak, err = tx.GetAccessKey(id); return err })
	if err != nil && !errors.Is(err, ErrNotExist) {
		return "", nil, err
	}
	entry := cachedKey{expiresAt: now.Add(keyCacheTTL)}
	if err == nil && !ak.Disabled {
		ns := k.aead.NonceSize()
		if len(ak.SecretEnc) < ns {
			return "", nil, errors.New("sealed secret is truncated")
		}
		plain, err := k.aead.Open(nil, ak.SecretEnc[:ns], ak.SecretEnc[ns:], []byte(ak.ID))
		if err != nil {
			return "", nil, errors.New("cannot unseal an access key: is the master key the one it was created with?")
		}
		entry.secret, entry.key = string(plain), ak
	}
	k.mu.Lock()
	if len(k.cache) > 10000 {
		clear(k.cache) // unknown IDs must not grow the cache without bound
	}
	k.cache[id] = entry
	k.mu.Unlock()
	if entry.key == nil {
		return "", nil, errUnknownKey
	}
	return entry.secret, entry.key, nil
}

func (k *Keyring) noKeys(ctx context.Context, now time.Time) bool {
	var n int
	if err := k.store.Read(ctx, func(tx Tx) (err error) { n, err = tx.CountAccessKeys(); return err }); err != nil || n > 0 {
		return false
	}
	k.mu.Lock()
	k.none = now.Add(keyCacheTTL)
	k.mu.Unlock()
	return true
}

func randomFrom(r io.Reader, alphabet string, n int) string {
	b := make([]byte, n)
	buf := make([]byte, 1)
	for i := 0; i < n; {
		if _, err := io.ReadFull(r, buf); err != nil {
			panic(err)
		}
		// Rejection sampling keeps the choice uniform.
		if int(buf[0]) < 256-256%len(alphabet) {
			b[i] = alphabet[int(buf[0])%len(alphabet)]
			i++
		}
	}
	return string(b)
}
