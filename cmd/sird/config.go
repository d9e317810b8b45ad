package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/sqlstore"
)

// storeFlags are the flags every command that opens the database shares.
type storeFlags struct {
	dataDir       string
	database      string
	masterKeyFile string
	maxConns      int
	stmtTimeout   time.Duration
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// parseInterspersed parses fs's flags wherever they appear among the
// positional arguments (`sird org load FILE --data-dir DIR` as well as
// `sird org load --data-dir DIR FILE`) and returns the positional ones.
// Everything after "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func (f *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.dataDir, "data-dir", envOr("SIRD_DATA_DIR", "./sird-data"), "directory for the SQLite database, attachments and the master key (env SIRD_DATA_DIR)")
	fs.StringVar(&f.database, "database", os.Getenv("SIRD_DATABASE_URL"), "PostgreSQL URL (postgres://...); empty uses SQLite under the data dir (env SIRD_DATABASE_URL)")
	fs.StringVar(&f.masterKeyFile, "master-key-file", os.Getenv("SIRD_MASTER_KEY_FILE"), "file holding the 32-byte hex master key; default <data-dir>/master.key, created on first start (env SIRD_MASTER_KEY_FILE, or SIRD_MASTER_KEY with the hex key itself)")
	fs.IntVar(&f.maxConns, "db-max-conns", 16, "PostgreSQL connection pool size")
	fs.DurationVar(&f.stmtTimeout, "db-statement-timeout", 5*time.Second, "PostgreSQL statement timeout")
}

func (f *storeFlags) open(ctx context.Context) (*sqlstore.Store, error) {
	opts := sqlstore.Options{MaxConns: f.maxConns, StatementTimeout: f.stmtTimeout, Migrate: true}
	if f.database != "" {
		return sqlstore.OpenPostgres(ctx, f.database, opts)
	}
	if err := os.MkdirAll(f.dataDir, 0o700); err != nil {
		return nil, err
	}
	return sqlstore.OpenSQLite(ctx, filepath.Join(f.dataDir, "sird.db"), opts)
}

// masterKey loads the key that seals access-key secrets and derives the
// token and URL signing keys. It lives apart from the database: in a file or
// the environment. With SQLite a missing key file is created; a PostgreSQL
// deployment must configure one key shared by every node.
func (f *storeFlags) masterKey() ([]byte, error) {
	if v := os.Getenv("SIRD_MASTER_KEY"); v != "" {
		return parseKey(v)
	}
	path := f.masterKeyFile
	if path == "" {
		if f.database != "" {
			return nil, errors.New("with --database, set SIRD_MASTER_KEY or --master-key-file: every node needs the same master key")
		}
		path = filepath.Join(f.dataDir, "master.key")
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && f.masterKeyFile == "" {
		key := make([]byte, 32)
		rand.Read(key)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
			return nil, err
		}
		return key, nil
	}
	if err != nil {
		return nil, err
	}
	return parseKey(string(b))
}

func parseKey(s string) ([]byte, error) {
	key, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(key) < 16 {
		return nil, fmt.Errorf("the master key must be at least 16 bytes, hex-encoded")
	}
	return key, nil
}

// openService opens the store and the keyring for admin commands.
func (f *storeFlags) openKeyring(ctx context.Context) (*sqlstore.Store, *sird.Keyring, error) {
	key, err := f.masterKey()
	if err != nil {
		return nil, nil, err
	}
	st, err := f.open(ctx)
	if err != nil {
		return nil, nil, err
	}
	return st, sird.NewKeyring(st, key, rand.Reader, time.Now), nil
}
