package fsblob

import (
	"testing"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/blob/blobtest"
)

func TestBlobStore(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) sird.BlobStore {
		fx := newFixture(t)
		t.Cleanup(func() { fx.checkOutside(t) })
		return fx.store
	})
}
