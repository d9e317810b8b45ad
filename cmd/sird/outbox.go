package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sird-project/sird/notify"
)

const outboxUsage = "usage: sird outbox list [--status pending|delivered|dead] [--limit N]; sird outbox retry ID...; sird outbox prune --older-than DURATION"

// outboxCmd lists notification deliveries, revives dead ones and prunes
// old ones.
func outboxCmd(args []string) error {
	if len(args) == 0 {
		return errors.New(outboxUsage)
	}
	var f storeFlags
	fs := flag.NewFlagSet("outbox "+args[0], flag.ContinueOnError)
	f.register(fs)
	status := fs.String("status", "", "only deliveries with this status: pending, delivered or dead")
	limit := fs.Int("limit", 50, "at most this many deliveries, newest first")
	olderThan := fs.Duration("older-than", 0, "prune: delete delivered and dead deliveries that ended longer ago than this, and events this old without pending deliveries (e.g. 168h)")
	pos, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return err
	}
	switch args[0] {
	case "list":
		switch *status {
		case "", notify.StatusPending, notify.StatusDelivered, notify.StatusDead:
		default:
			return fmt.Errorf("--status %q: want pending, delivered or dead", *status)
		}
		if *limit <= 0 || len(pos) > 0 {
			return errors.New(outboxUsage)
		}
	case "retry":
		if len(pos) == 0 {
			return errors.New(outboxUsage)
		}
	case "prune":
		if *olderThan <= 0 || len(pos) > 0 {
			return errors.New(outboxUsage)
		}
	default:
		return fmt.Errorf("unknown outbox command %q\n%s", args[0], outboxUsage)
	}

	ctx := context.Background()
	st, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	q := st.Queue()

	if args[0] == "retry" {
		for _, a := range pos {
			id, err := strconv.ParseInt(a, 10, 64)
			if err != nil {
				return fmt.Errorf("delivery ID %q: not a number", a)
			}
			err = q.Retry(ctx, id, time.Now())
			if errors.Is(err, notify.ErrNotFound) {
				return fmt.Errorf("delivery %d: no such dead delivery (only dead deliveries can be retried)", id)
			}
			if err != nil {
				return err
			}
			fmt.Printf("delivery %d: pending again\n", id)
		}
		return nil
	}

	if args[0] == "prune" {
		n, err := pruneOutbox(ctx, q, time.Now().Add(-*olderThan)) // prune.go
		if n > 0 || err == nil {
			fmt.Printf("%d outbox row(s) deleted\n", n)
		}
		return err
	}

	ds, err := q.List(ctx, *status, *limit)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tCHANNEL\tTARGET\tATTEMPTS\tNEXT ATTEMPT\tEVENT TYPE\tEVENT ID\tLAST ERROR")
	for _, d := range ds {
		next := "-"
		if d.Status == notify.StatusPending && !d.NextAttempt.IsZero() {
			next = d.NextAttempt.UTC().Format(time.RFC3339)
		}
		lastErr := d.LastError
		if lastErr == "" {
			lastErr = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", d.ID, d.Status, d.Channel, d.Target, d.Attempts, next,
			tabless(d.Event.Type), d.EventID, tabless(lastErr))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	backlog, err := st.OutboxBacklog(ctx)
	if err != nil {
		return err
	}
	if backlog > 0 {
		fmt.Fprintf(os.Stderr, "%d event(s) not yet expanded into deliveries: they go out once a notifier (sird serve with --smtp-host or --webhooks-file) runs\n", backlog)
	}
	return nil
}

// tabless keeps a value on one table cell.
func tabless(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
