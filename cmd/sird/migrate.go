package main

import (
	"context"
	"flag"
	"fmt"
)

func migrateCmd(args []string) error {
	var f storeFlags
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := f.open(context.Background())
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Println("migrations applied")
	return nil
}
