package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/cxm-project/cxm/internal/auth"
)

func tokenCommand() command {
	return command{
		use:   "token",
		short: "create ingest write tokens",
		subs: []command{{
			use:   "new",
			short: "create an ingest write token and print its config entry (only its hash is stored)",
			long: `Prints a new token once, and the YAML entry with its hash for ingest.tokens. The locations are
checked against the registry of the config (--config, CXM_CONFIG or ./cxm.yaml).`,
			example: `  cxm token new --name pos-gateway --locations store-001,store-002
  cxm token new --name importer --all`,
			flags: func(fs *pflag.FlagSet) {
				fs.String("name", "", "who holds the token (shown in logs and errors)")
				fs.StringSlice("locations", nil, "locations the token may write")
				fs.Bool("all", false, "the token may write every location")
			},
			run: runToken,
		}},
	}
}

// runToken prints a new token once, and the YAML entry with only its hash for ingest.tokens.
func runToken(_ context.Context, e *env) error {
	name, _ := e.flags.GetString("name")
	locs, _ := e.flags.GetStringSlice("locations")
	all, _ := e.flags.GetBool("all")
	if strings.TrimSpace(name) == "" {
		return errors.New("--name: required (it names the token in logs and errors)")
	}
	if all == (len(locs) > 0) {
		return errors.New("--locations or --all: give exactly one of them")
	}
	for _, l := range locs {
		if e.cfg.Location(l) == nil {
			e.log.Warn("location is not in the registry of this config; the token entry will not validate until it is", "location", l)
		}
	}
	tok, err := auth.Generate()
	if err != nil {
		return err
	}
	w := e.stdout
	fmt.Fprintf(w, "token (shown once, give it to the device or integrator): %s\n\n", tok)
	fmt.Fprintln(w, "add to cxm.yaml under ingest.tokens:")
	fmt.Fprintf(w, "  - name: %q\n    hash: %q\n", name, auth.Hash(tok))
	if all {
		fmt.Fprintln(w, "    all: true")
	} else {
		fmt.Fprintln(w, "    locations:")
		for _, l := range locs {
			fmt.Fprintf(w, "      - %q\n", l)
		}
	}
	return nil
}
