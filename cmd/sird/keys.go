package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"text/tabwriter"
)

func keysCmd(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: sird keys create --account ID --user NAME | --role NAME; sird keys list; sird keys disable|enable ACCESS_KEY_ID")
	}
	var f storeFlags
	fs := flag.NewFlagSet("keys "+args[0], flag.ContinueOnError)
	f.register(fs)
	account := fs.String("account", "", "12-digit account ID the key belongs to")
	user := fs.String("user", "", "IAM user name of the key's principal")
	role := fs.String("role", "", "IAM role name of the key's principal (instead of --user)")
	pos, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return err
	}
	ctx := context.Background()
	st, keys, err := f.openKeyring(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	switch args[0] {
	case "create":
		name := "user/" + *user
		if *role != "" {
			name = "role/" + *role
		}
		if (*user == "") == (*role == "") {
			return fmt.Errorf("give exactly one of --user or --role")
		}
		id, secret, err := keys.Create(ctx, *account, name)
		if err != nil {
			return err
		}
		fmt.Printf("AWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n", id, secret)
		fmt.Fprintln(os.Stderr, "The secret is shown this once; sird keeps it sealed.")
		return nil
	case "list":
		list, err := keys.List(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ACCESS KEY ID\tACCOUNT\tPRINCIPAL\tSTATUS\tCREATED")
		for _, k := range list {
			status := "active"
			if k.Disabled {
				status = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.ID, k.AccountID, k.Principal, status, k.CreatedAt.Format("2006-01-02T15:04:05Z"))
		}
		return tw.Flush()
	case "disable", "enable":
		if len(pos) != 1 {
			return fmt.Errorf("usage: sird keys %s ACCESS_KEY_ID", args[0])
		}
		return keys.SetDisabled(ctx, pos[0], args[0] == "disable")
	}
	return fmt.Errorf("unknown keys command %q", args[0])
}
