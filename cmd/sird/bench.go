package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/loadgen"
)

func benchCmd(args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	var cfg loadgen.Config
	fs.StringVar(&cfg.Endpoint, "endpoint", "http://"+DefaultListen, "endpoint speaking the security-ir API")
	fs.StringVar(&cfg.AccessKey, "access-key", envOr("AWS_ACCESS_KEY_ID", sird.DevAccessKeyID), "access key ID (env AWS_ACCESS_KEY_ID)")
	fs.StringVar(&cfg.SecretKey, "secret-key", envOr("AWS_SECRET_ACCESS_KEY", sird.DevSecretKey), "secret access key (env AWS_SECRET_ACCESS_KEY)")
	fs.StringVar(&cfg.Region, "region", envOr("AWS_REGION", "us-east-1"), "region to sign for")
	fs.IntVar(&cfg.Workers, "c", 64, "concurrent connections")
	fs.DurationVar(&cfg.Duration, "d", 10*time.Second, "measurement duration")
	fs.IntVar(&cfg.Requests, "n", 0, "fixed request count instead of a duration")
	fs.DurationVar(&cfg.Warmup, "warmup", 2*time.Second, "warm-up before measuring")
	fs.IntVar(&cfg.Prepopulate, "prepopulate", 0, "create this many cases before measuring")
	mix := fs.String("mix", "get-case=40,list-cases=15,create-case=15,update-case=10,create-comment=10,list-comments=10", "operation weights")
	baseline := fs.String("serve-baseline", "", "instead of a load, serve the trivial net/http JSON handler on this address (the reference the targets compare against)")
	jsonOut := fs.Bool("json", false, "print the report as JSON")
	compare := fs.Bool("compare-baseline", false, "first drive the trivial net/http JSON handler, served by a child process, with the same workers and duration, then the endpoint, and print the ratio")
	inProcess := fs.Bool("baseline-in-process", false, "with --compare-baseline, serve the trivial handler from this process instead of a child process (faster than any separate server process can be)")
	var store storeFlags
	store.register(fs)
	populateN := fs.Int("populate", 0, "instead of a load, insert this many cases straight into the store of --data-dir (or --database) for the account and region of --populate-account and --region, then exit; the server may be stopped or running")
	populateAccount := fs.String("populate-account", sird.DevAccountID, "account that --populate creates cases for")
	startups := fs.Int("startup", 0, "instead of a load, start sird serve this many times on --data-dir (default: a new temporary one) and report the time from exec to a healthy /_sird/health and the idle RSS")
	rssPID := fs.Int("rss-pid", 0, "during the run, sample the RSS of this process (the server) every 5 s and report its spread after the first minute (Linux)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if *startups > 0 {
		dir := ""
		if isFlagSet(fs, "data-dir") {
			dir = store.dataDir
		}
		return measureStartup(ctx, *startups, dir, os.Stdout)
	}
	if *populateN > 0 {
		st, err := store.open(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		return populate(ctx, st, *populateN, *populateAccount, cfg.Region, os.Stderr)
	}
	if *baseline != "" {
		addr, err := loadgen.ServeBaseline(ctx, *baseline)
		if err != nil {
			return err
		}
		fmt.Fprintln(os.Stderr, baselineAnnounce+addr)
		<-ctx.Done()
		return nil
	}
	cfg.Mix = map[string]int{}
	for _, part := range strings.Split(*mix, ",") {
		name, w, ok := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.Atoi(w)
		if !ok || err != nil || n < 0 {
			return fmt.Errorf("bad -mix entry %q (want op=weight)", part)
		}
		cfg.Mix[name] = n
	}
	if isTerminal(os.Stderr) { // export.go
		cfg.Progress = os.Stderr
	}
	var base *loadgen.Report
	if *compare {
		var err error
		if base, err = runBaseline(ctx, cfg, *inProcess); err != nil {
			return fmt.Errorf("baseline run: %w", err)
		}
	}
	var rss *rssSampler
	if *rssPID > 0 {
		rss = startRSSSampler(*rssPID, 5*time.Second)
	}
	rep, err := loadgen.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if rss != nil {
		defer rss.report(os.Stdout, cfg.Warmup+time.Minute)
	}
	if *jsonOut {
		if base != nil {
			return writeJSONPair(os.Stdout, base, rep)
		}
		return rep.WriteJSON(os.Stdout)
	}
	if base != nil {
		where := "its own process"
		if *inProcess {
			where = "this process"
		}
		fmt.Printf("== baseline: trivial net/http JSON handler in %s, same workers and duration\n", where)
		base.WriteText(os.Stdout)
		fmt.Println("== endpoint")
	}
	if err := rep.WriteText(os.Stdout); err != nil {
		return err
	}
	if base != nil && base.ReqPerSec > 0 {
		fmt.Printf("\nratio to baseline: all ops %.1f%%", 100*rep.ReqPerSec/base.ReqPerSec)
		for _, op := range rep.Ops {
			fmt.Printf(", %s %.1f%%", op.Op, 100*op.ReqPerSec/base.ReqPerSec)
		}
		fmt.Println()
	}
	return nil
}

// runBaseline drives the trivial handler with cfg's workers and duration,
// served from a child process, or from this one if inProcess.
func runBaseline(ctx context.Context, cfg loadgen.Config, inProcess bool) (*loadgen.Report, error) {
	var addr string
	var err error
	if inProcess {
		bctx, cancel := context.WithCancel(ctx)
		defer cancel()
		addr, err = loadgen.ServeBaseline(bctx, "127.0.0.1:0")
	} else {
		var stop func()
		addr, stop, err = startBaselineProcess(ctx)
		if err == nil {
			defer stop() // before the endpoint's run
		}
	}
	if err != nil {
		return nil, err
	}
	cfg.Endpoint, cfg.Prepopulate = "http://"+addr, 0
	cfg.Mix = map[string]int{loadgen.OpBaseline: 1}
	return loadgen.Run(ctx, cfg)
}

func writeJSONPair(w io.Writer, base, rep *loadgen.Report) error {
	out := map[string]any{"baseline": base, "endpoint": rep, "ratio": rep.ReqPerSec / base.ReqPerSec}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func isFlagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
