package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/sird-project/sird"
)

const responderUsage = `usage:
  sird responder cases [--status S] [--account A] [--region R] [--all]
  sird responder status ACCOUNT/REGION/CASEID STATUS
  sird responder pending ACCOUNT/REGION/CASEID Customer|None
  sird responder comment ACCOUNT/REGION/CASEID --body TEXT    (--body - reads stdin)
  sird responder investigate ACCOUNT/REGION/CASEID --type Evidence|Investigation|Summarization
                             --title T --content C [--status Completed]
  sird responder investigate ACCOUNT/REGION/CASEID --id inv-... [--status S] [--content C]
Every command takes --responder NAME (env SIRD_RESPONDER, default $USER) and the
database flags (--data-dir, --database, ...).`

// responderCmd is the responder team's tool: it works AWS-resolved cases of
// every account directly on the database (SQLite data dir or PostgreSQL).
func responderCmd(args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(os.Stderr, responderUsage)
		if len(args) == 0 {
			return errors.New("missing responder command")
		}
		return nil
	}
	sub := args[0]
	var f storeFlags
	fs := flag.NewFlagSet("responder "+sub, flag.ContinueOnError)
	f.register(fs)
	name := fs.String("responder", envOr("SIRD_RESPONDER", os.Getenv("USER")), "responder's name, recorded in case history messages (env SIRD_RESPONDER)")
	var (
		status, account, region     *string
		all                         *bool
		body                        *string
		invType, title, content, id *string
	)
	switch sub {
	case "cases":
		status = fs.String("status", "", "only cases in this status")
		account = fs.String("account", "", "only cases of this account")
		region = fs.String("region", "", "only cases of this region")
		all = fs.Bool("all", false, "closed cases too")
	case "status", "pending":
	case "comment":
		body = fs.String("body", "", "comment text; - reads it from stdin")
	case "investigate":
		invType = fs.String("type", "", "action type: Evidence, Investigation or Summarization")
		title = fs.String("title", "", "title (1..200 characters)")
		content = fs.String("content", "", "content (1..5000 characters); - reads it from stdin")
		status = fs.String("status", "", "execution status: Pending, InProgress, Waiting, Completed (default for a new action), Failed, Cancelled")
		id = fs.String("id", "", "update this investigation action (inv-...) instead of adding one")
	default:
		return fmt.Errorf("unknown responder command %q\n%s", sub, responderUsage)
	}
	pos, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return err
	}
	ctx := context.Background()
	st, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	// The responder API seals no page tokens, so it needs no master key: an
	// ephemeral one keeps this command usable where the key is not at hand.
	key := make([]byte, 32)
	rand.Read(key)
	svc := sird.NewService(sird.Config{Store: st, MasterKey: key})

	if sub == "cases" {
		if len(pos) != 0 {
			return fmt.Errorf("usage: sird responder cases [--status S] [--account A] [--region R] [--all]")
		}
		return responderCases(ctx, svc, sird.ResponderCaseFilter{Status: *status, AccountID: *account, Region: *region, All: *all})
	}
	if len(pos) < 1 {
		return fmt.Errorf("missing ACCOUNT/REGION/CASEID\n%s", responderUsage)
	}
	acct, reg, caseID, err := parseCaseRef(pos[0])
	if err != nil {
		return err
	}
	rest := pos[1:]
	switch sub {
	case "status":
		if len(rest) == 0 {
			return fmt.Errorf("usage: sird responder status ACCOUNT/REGION/CASEID STATUS")
		}
		// Statuses have spaces; accept them quoted or not.
		to := strings.Join(rest, " ")
		if err := svc.ResponderSetStatus(ctx, *name, acct, reg, caseID, to); err != nil {
			return err
		}
		fmt.Printf("%s: status %s\n", pos[0], to)
	case "pending":
		if len(rest) != 1 {
			return fmt.Errorf("usage: sird responder pending ACCOUNT/REGION/CASEID Customer|None")
		}
		if err := svc.ResponderSetPendingAction(ctx, *name, acct, reg, caseID, rest[0]); err != nil {
			return err
		}
		fmt.Printf("%s: pending action %s\n", pos[0], rest[0])
	case "comment":
		if len(rest) != 0 {
			return fmt.Errorf("usage: sird responder comment ACCOUNT/REGION/CASEID --body TEXT (or --body - for stdin)")
		}
		text, err := textOrStdin(*body)
		if err != nil {
			return err
		}
		cid, err := svc.ResponderComment(ctx, *name, acct, reg, caseID, text)
		if err != nil {
			return err
		}
		fmt.Printf("%s: comment %s added\n", pos[0], cid)
	case "investigate":
		if len(rest) != 0 {
			return fmt.Errorf("usage: sird responder investigate ACCOUNT/REGION/CASEID --type T --title T --content C [--status S]")
		}
		text := *content
		if text == "-" {
			if text, err = textOrStdin(text); err != nil {
				return err
			}
		}
		var inv *sird.Investigation
		if *id != "" {
			if *invType != "" || *title != "" {
				return fmt.Errorf("--type and --title are set when an action is added; with --id give --status and/or --content")
			}
			inv, err = svc.ResponderUpdateInvestigation(ctx, *name, acct, reg, caseID, *id, *status, text)
		} else {
			inv, err = svc.ResponderAddInvestigation(ctx, *name, acct, reg, caseID, sird.ResponderInvestigationInput{
				ActionType: *invType, Title: *title, Content: text, Status: *status,
			})
		}
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "INVESTIGATION ID\tTYPE\tSTATUS\tUPDATED\tTITLE")
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", inv.InvestigationID, inv.ActionType, inv.Status,
			inv.LastUpdated.UTC().Format(time.RFC3339), oneLine(inv.Title, 60))
		return tw.Flush()
	}
	return nil
}

func responderCases(ctx context.Context, svc *sird.Service, filter sird.ResponderCaseFilter) error {
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CASE\tSTATUS\tPENDING\tCREATED\tUPDATED\tTITLE")
	n := 0
	for after := ""; ; {
		items, next, err := svc.ResponderListCases(ctx, filter, sird.Page{After: after, Limit: 500})
		if err != nil {
			return err
		}
		for _, cs := range items {
			n++
			fmt.Fprintf(tw, "%s/%s/%s\t%s\t%s\t%s\t%s\t%s\n", cs.AccountID, cs.Region, cs.ID, cs.Status, cs.PendingAction,
				cs.CreatedDate.UTC().Format(time.RFC3339), cs.LastUpdatedDate.UTC().Format(time.RFC3339), oneLine(cs.Title, 60))
		}
		if next == "" {
			break
		}
		after = next
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%d case(s)\n", n)
	return nil
}

// parseCaseRef splits ACCOUNT/REGION/CASEID.
func parseCaseRef(ref string) (account, region, id string, err error) {
	parts := strings.Split(ref, "/")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return "", "", "", fmt.Errorf("%q: a case is named ACCOUNT/REGION/CASEID, as `sird responder cases` prints it", ref)
	}
	return parts[0], parts[1], parts[2], nil
}

// textOrStdin returns v, or standard input when v is "-" (one trailing
// newline dropped, so `echo text |` gives "text").
func textOrStdin(v string) (string, error) {
	if v != "-" {
		return v, nil
	}
	b, err := io.ReadAll(os.Stdin)
	if err != nil {
		return "", err
	}
	s := string(b)
	s = strings.TrimSuffix(strings.TrimSuffix(s, "\n"), "\r")
	if !utf8.ValidString(s) {
		return "", errors.New("standard input is not UTF-8 text")
	}
	return s, nil
}

// oneLine shortens s to one line of at most n characters for a table cell.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > n {
		r := []rune(s)
		s = string(r[:n-1]) + "…"
	}
	return s
}
