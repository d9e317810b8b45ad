// Command sird is a self-hosted AWS Security Incident Response service.
package main

import (
	"fmt"
	"os"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

const usage = `sird: a self-hosted AWS Security Incident Response (security-ir) service

Usage:
  sird serve    [flags]   start the API server
  sird keys     create|list|disable|enable ...   manage access keys
  sird org      load FILE | show                 declare organizations and OUs
  sird responder cases|status|pending|comment|investigate ...   work AWS-resolved cases as the responder team
  sird migrate  [flags]   apply database migrations and exit
  sird export   [flags] > dump.jsonl           copy the whole deployment out (SQLite or PostgreSQL)
  sird import   [flags] < dump.jsonl           load a dump into a new, empty database
  sird outbox   list [--status S] [--limit N] | retry ID | prune --older-than D   notification deliveries
  sird bench    [flags]   signed load generator
  sird version            print the version

Run "sird COMMAND -h" for a command's flags.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	args := os.Args[2:]
	switch os.Args[1] {
	case "serve":
		err = serve(args)
	case "keys":
		err = keysCmd(args)
	case "org":
		err = orgCmd(args)
	case "responder":
		err = responderCmd(args)
	case "migrate":
		err = migrateCmd(args)
	case "export":
		err = exportCmd(args)
	case "import":
		err = importCmd(args)
	case "outbox":
		err = outboxCmd(args)
	case "bench":
		err = benchCmd(args)
	case "version", "--version", "-v":
		fmt.Println("sird", version)
	case "help", "-h", "--help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "sird: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "sird:", err)
		os.Exit(1)
	}
}
