package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/sird-project/sird/sqlstore"
)

const exportHelp = `Usage: sird export [--data-dir DIR | --database URL] [-o FILE]

Writes the whole deployment -- access keys, idempotency records, memberships
and their history, organizations, cases, case history, comments, pending
uploads, the outbox and its deliveries -- as JSON lines to standard output
(or FILE), from one consistent snapshot: sird may keep serving meanwhile.
Load it with "sird import", into SQLite or PostgreSQL.

Access-key secrets stay sealed with the master key: the deployment that
imports the dump must use the same master key (copy <data-dir>/master.key,
or set SIRD_MASTER_KEY / --master-key-file to it), or its keys stop working.
Attachment contents are not in the dump: copy <data-dir>/blobs along (or
keep using the same S3 bucket).

Flags:
`

const importHelp = `Usage: sird import [--data-dir DIR | --database URL] [FILE]

Loads a dump written by "sird export" (from FILE, or standard input) into a
new, empty database: SQLite under --data-dir, or PostgreSQL with --database.
The database is migrated first; a database that holds any row is refused.
Everything goes in one transaction: on any error nothing is imported.

Access-key secrets in the dump are sealed with the master key of the
deployment it came from: give this deployment the same master key
(<data-dir>/master.key, SIRD_MASTER_KEY or --master-key-file).

Flags:
`

func exportCmd(args []string) error {
	var f storeFlags
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	f.register(fs)
	out := fs.String("o", "", "write the dump to FILE rather than standard output")
	quiet := fs.Bool("q", false, "no progress or summary on standard error")
	fs.Usage = func() { fmt.Fprint(fs.Output(), exportHelp); fs.PrintDefaults() }
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("export takes no arguments (got %q); the dump goes to standard output or -o FILE", pos)
	}
	var w io.Writer = os.Stdout
	var file *os.File
	if *out != "" && *out != "-" {
		if file, err = os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err != nil {
			return err
		}
		w = file
	} else if isTerminal(os.Stdout) {
		return errors.New("standard output is a terminal: redirect it to a file (sird export > dump.jsonl) or use -o FILE")
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	st, err := f.openExisting(ctx)
	if err != nil {
		if file != nil {
			file.Close()
			os.Remove(file.Name())
		}
		return err
	}
	defer st.Close()

	bar := newProgressBar(os.Stderr, "export", *quiet)
	err = st.Export(ctx, w, bar.update)
	bar.finish()
	if file != nil {
		if err == nil {
			err = file.Sync()
		}
		if cerr := file.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(file.Name()) // no half dump left behind to import later
		}
	}
	if err != nil {
		return err
	}
	if !*quiet {
		fmt.Fprintf(os.Stderr, "sird export: %d rows from %d tables. Access keys are sealed with this deployment's master key: the importing one needs the same key.\n", bar.total, bar.tables)
	}
	return nil
}

func importCmd(args []string) error {
	var f storeFlags
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	f.register(fs)
	quiet := fs.Bool("q", false, "no progress or summary on standard error")
	fs.Usage = func() { fmt.Fprint(fs.Output(), importHelp); fs.PrintDefaults() }
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return errors.New("usage: sird import [flags] [FILE]")
	}
	var r io.Reader = os.Stdin
	if len(pos) == 1 && pos[0] != "-" {
		file, err := os.Open(pos[0])
		if err != nil {
			return err
		}
		defer file.Close()
		r = file
	} else if isTerminal(os.Stdin) {
		return errors.New("give the dump on standard input (sird import < dump.jsonl) or as FILE")
	}
	// Fail on a bad dump before touching the target database.
	br := bufio.NewReaderSize(r, 64<<10)
	if head, err := br.Peek(len(`{"format":"sird-dump"`)); err != nil || string(head) != `{"format":"sird-dump"` {
		return errors.New("the input is not a sird dump (written by sird export)")
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	st, err := f.open(ctx) // creates and migrates the target as needed
	if err != nil {
		return err
	}
	defer st.Close()
	bar := newProgressBar(os.Stderr, "import", *quiet)
	err = st.Import(ctx, br, bar.update)
	bar.finish()
	if err != nil {
		return err
	}
	if !*quiet {
		fmt.Fprintf(os.Stderr, "sird import: %d rows into %d tables.\n", bar.total, bar.tables)
		if warn := f.masterKeyWarning(); warn != "" {
			fmt.Fprintln(os.Stderr, warn)
		}
	}
	return nil
}

// openExisting opens the store without creating or migrating anything: an
// export must not change its source, nor conjure an empty SQLite file.
func (f *storeFlags) openExisting(ctx context.Context) (*sqlstore.Store, error) {
	opts := sqlstore.Options{MaxConns: f.maxConns, StatementTimeout: f.stmtTimeout}
	if f.database != "" {
		return sqlstore.OpenPostgres(ctx, f.database, opts)
	}
	path := filepath.Join(f.dataDir, "sird.db")
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no sird database to export under --data-dir %s: %w", f.dataDir, err)
	}
	return sqlstore.OpenSQLite(ctx, path, opts)
}

// masterKeyWarning says what to do when the imported deployment has no
// master key yet: sird serve would make a new one, and the imported access
// keys, page tokens and attachment URLs would no longer open.
func (f *storeFlags) masterKeyWarning() string {
	if os.Getenv("SIRD_MASTER_KEY") != "" || f.masterKeyFile != "" || f.database != "" {
		return ""
	}
	path := filepath.Join(f.dataDir, "master.key")
	if _, err := os.Stat(path); err == nil {
		return ""
	}
	return fmt.Sprintf("Copy the exporting deployment's master key to %s (or set SIRD_MASTER_KEY) before sird serve runs here: a new key would not open the imported access keys.", path)
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progressBar shows the running row count of the current table on one
// line, rewritten with \r, when w is a terminal; each finished table keeps
// its line. It counts tables and rows either way, for the summary.
type progressBar struct {
	w       io.Writer
	verb    string
	live    bool
	table   string
	rows    int64
	total   int64
	tables  int
	lastOut time.Time
}

func newProgressBar(w *os.File, verb string, quiet bool) *progressBar {
	return &progressBar{w: w, verb: verb, live: !quiet && isTerminal(w)}
}

func (p *progressBar) update(table string, rows int64) {
	if table != p.table {
		p.endTable()
		p.table = table
	}
	p.rows = rows
	if p.live && time.Since(p.lastOut) >= 100*time.Millisecond {
		p.lastOut = time.Now()
		fmt.Fprintf(p.w, "\r%s %-20s %12d rows", p.verb, p.table, p.rows)
	}
}

func (p *progressBar) endTable() {
	if p.table == "" {
		return
	}
	p.total += p.rows
	p.tables++
	if p.live {
		fmt.Fprintf(p.w, "\r%s %-20s %12d rows\n", p.verb, p.table, p.rows)
	}
	p.table, p.rows = "", 0
}

func (p *progressBar) finish() { p.endTable() }
