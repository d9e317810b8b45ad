package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"strings"
	"sync"
)

// keyCache keeps derived signing keys: deriving one costs four HMACs, and a
// key serves every request of one secret, day and region.
type keyCache struct {
	mu sync.Mutex
	m  map[keyID][sha256.Size]byte
}

type keyID struct{ secret, date, region, service string }

// maxCachedKeys bounds the cache; past it an arbitrary entry is dropped,
// which is enough since live keys are re-derived on their next miss.
const maxCachedKeys = 1024

func (c *keyCache) get(secret, date, region, service string) [sha256.Size]byte {
	id := keyID{secret, date, region, service}
	c.mu.Lock()
	k, ok := c.m[id]
	c.mu.Unlock()
	if ok {
		return k
	}
	k = deriveKey(secret, date, region, service)
	// Clone so the cache does not pin whole request headers in memory.
	id = keyID{strings.Clone(secret), strings.Clone(date), strings.Clone(region), strings.Clone(service)}
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[keyID][sha256.Size]byte)
	}
	if len(c.m) >= maxCachedKeys {
		for old := range c.m {
			delete(c.m, old)
			break
		}
	}
	c.m[id] = k
	c.mu.Unlock()
	return k
}

// deriveKey is the SigV4 HMAC chain: date, region, service, "aws4_request".
func deriveKey(secret, date, region, service string) [sha256.Size]byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	k = hmacSHA256(k, "aws4_request")
	var out [sha256.Size]byte
	copy(out[:], k)
	return out
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}
