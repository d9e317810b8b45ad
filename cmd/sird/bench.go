package main

import (
	"context"
	"flag"
	"fmt"
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
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if *baseline != "" {
		addr, err := loadgen.ServeBaseline(ctx, *baseline)
		if err != nil {
			return err
		}
		fmt.Fprintln(os.Stderr, "baseline handler on", addr)
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
	if fi, err := os.Stderr.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		cfg.Progress = os.Stderr
	}
	rep, err := loadgen.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if *jsonOut {
		return rep.WriteJSON(os.Stdout)
	}
	return rep.WriteText(os.Stdout)
}
