package sqlstore

import (
	"testing"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/storetest"
)

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) sird.Store {
		return freshSQLite(t)(t, Options{Migrate: true})
	})
}

func TestPostgres(t *testing.T) {
	freshPostgres(t) // skips the whole test when no server is configured
	storetest.Run(t, func(t *testing.T) sird.Store {
		return freshPostgres(t)(t, Options{Migrate: true, MaxConns: 8})
	})
}
