package sqlstore

import (
	"time"

	"github.com/sird-project/sird"
)

// Access keys and idempotency records.

var (
	qKeyPut = def(`INSERT INTO access_keys (id, account_id, doc) VALUES (?, ?, ?)
ON CONFLICT (id) DO UPDATE SET account_id = excluded.account_id, doc = excluded.doc`)
	qKeyGet   = def(`SELECT doc FROM access_keys WHERE id = ?`)
	qKeyList  = def(`SELECT doc FROM access_keys ORDER BY id`)
	qKeyCount = def(`SELECT count(*) FROM access_keys`)

	qIdemGet = def(`SELECT request_hash, resource_id FROM idempotency WHERE scope = ? AND token = ?`)
	qIdemPut = def(`INSERT INTO idempotency (scope, token, request_hash, resource_id, created_ns)
VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
)

// accessKeyDoc is the stored form of sird.AccessKey, which has no JSON tags
// of its own; naming the fields here keeps the documents stable if the Go
// fields are renamed.
type accessKeyDoc struct {
	ID        string    `json:"id"`
	SecretEnc []byte    `json:"secretEnc"`
	AccountID string    `json:"accountId"`
	Principal string    `json:"principal"`
	Disabled  bool      `json:"disabled,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

var decodeAccessKeyDoc = decodeJSON[accessKeyDoc]("access key")

func decodeAccessKey(b []byte) (*sird.AccessKey, error) {
	d, err := decodeAccessKeyDoc(b)
	if err != nil {
		return nil, err
	}
	return &sird.AccessKey{ID: d.ID, SecretEnc: d.SecretEnc, AccountID: d.AccountID,
		Principal: d.Principal, Disabled: d.Disabled, CreatedAt: d.CreatedAt}, nil
}

func (t *tx) PutAccessKey(k *sird.AccessKey) error {
	doc, err := encodeJSON("access key", accessKeyDoc{ID: k.ID, SecretEnc: k.SecretEnc, AccountID: k.AccountID,
		Principal: k.Principal, Disabled: k.Disabled, CreatedAt: k.CreatedAt})
	if err != nil {
		return err
	}
	_, err = t.exec(qKeyPut, k.ID, k.AccountID, doc)
	return err
}

func (t *tx) GetAccessKey(id string) (*sird.AccessKey, error) {
	var doc []byte
	if err := t.scanOne(qKeyGet, []any{id}, &doc); err != nil {
		return nil, err
	}
	return decodeAccessKey(doc)
}

func (t *tx) ListAccessKeys() ([]*sird.AccessKey, error) {
	rows, err := t.query(qKeyList)
	if err != nil {
		return nil, err
	}
	return scanDocs(rows, decodeAccessKey)
}

func (t *tx) CountAccessKeys() (int, error) {
	var n int
	err := t.scanOne(qKeyCount, nil, &n)
	return n, err
}

func (t *tx) GetIdempotency(scope, token string) (requestHash, resourceID string, err error) {
	err = t.scanOne(qIdemGet, []any{scope, token}, &requestHash, &resourceID)
	return requestHash, resourceID, err
}

// PutIdempotency inserts a record; one for the same scope and token is
// sird.ErrDuplicate (two requests raced with one token: the later one rolls
// back and, retried, finds the record).
func (t *tx) PutIdempotency(scope, token, requestHash, resourceID string, at time.Time) error {
	return t.insert(qIdemPut, scope, token, requestHash, resourceID, at.UnixNano())
}
