package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/sird-project/sird"
)

func orgCmd(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: sird org load FILE | sird org show")
	}
	var f storeFlags
	fs := flag.NewFlagSet("org "+args[0], flag.ContinueOnError)
	f.register(fs)
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
	switch args[0] {
	case "load":
		if len(pos) != 1 {
			return fmt.Errorf("usage: sird org load FILE")
		}
		return loadOrgFile(ctx, st, pos[0])
	case "show":
		return st.Read(ctx, func(tx sird.Tx) error {
			orgs, err := tx.ListOrganizations()
			if err != nil {
				return err
			}
			var d sird.OrgDeclaration
			for _, o := range orgs {
				units, err := tx.ListOrgUnits(o.ID)
				if err != nil {
					return err
				}
				accounts, err := tx.ListOrgAccounts(o.ID)
				if err != nil {
					return err
				}
				do := sird.DeclaredOrganization{Organization: *o}
				for _, u := range units {
					do.Units = append(do.Units, *u)
				}
				for _, a := range accounts {
					do.Accounts = append(do.Accounts, *a)
				}
				d.Organizations = append(d.Organizations, do)
			}
			enc := json.NewEncoder(os.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(d)
		})
	}
	return fmt.Errorf("unknown org command %q", args[0])
}

func loadOrgFile(ctx context.Context, st sird.Store, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var d sird.OrgDeclaration
	if err := json.Unmarshal(b, &d); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return sird.LoadOrganizations(ctx, st, &d)
}
