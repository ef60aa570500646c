package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cxm-project/cxm/ingest/importer"
	"github.com/cxm-project/cxm/ingest/rules"
	"github.com/cxm-project/cxm/ingest/writer"
	"github.com/cxm-project/cxm/internal/kafka"
)

func importCommand() command {
	return command{
		use:   "import receipts|counters|audits FILE.csv",
		short: "load POS receipts, door counts or an agency's audit results from a CSV file (- for stdin) into Kafka",
		long: `Loads POS receipts or people-counter readings from CSV straight into the Kafka events topic (not
through the HTTP API, so no token or rate limit applies). Each row's event id comes from its identity, so
importing a file again writes nothing twice. Rejected rows are listed with their line and field, and go to
the dead-letter topic.

receipts columns: location,receipt,time,amount,items (required); currency,seller,refund,device (optional)
counters columns: location,device,time,in,out
audits columns: location,time,template,auditor (required); visit,auditor_role,employee,evidence (optional);
  one column per checklist element (met/not_met/na, 1/0/n/a, да/нет/н/п) and <element>.comment`,
		example: `  cxm import receipts receipts-2026-05.csv
  cxm import counters --dry-run door-counts.csv
  cxm import audits agency-2026-11.csv`,
		args:      cobra.MatchAll(cobra.ExactArgs(2), kindArg),
		validArgs: importer.Kinds(),
		uses:      []section{kafkaSection},
		flags: func(fs *pflag.FlagSet) {
			fs.Bool("dry-run", false, "validate every row, write nothing")
			fs.Int("max-errors", 50, "row errors to print (all are counted)")
		},
		run: runImport,
	}
}

// kindArg checks the first argument is an import kind.
func kindArg(_ *cobra.Command, args []string) error {
	if len(args) > 0 && !slices.Contains(importer.Kinds(), args[0]) {
		return fmt.Errorf("unknown import kind %q: receipts, counters or audits", args[0])
	}
	return nil
}

func runImport(ctx context.Context, e *env) error {
	args := e.flags.Args()
	kind, path := args[0], args[1]
	var in io.Reader = os.Stdin
	var size int64
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil {
			size = st.Size()
		}
		in = f
	}
	dry, _ := e.flags.GetBool("dry-run")
	maxErrs, _ := e.flags.GetInt("max-errors")
	cfg := e.cfg
	opts := importer.Options{Kind: kind, Rules: rules.New(cfg), BatchSize: cfg.Ingest.Import.BatchSize, DryRun: dry}
	if !dry {
		events := kafka.NewProducer(cfg.Kafka, cfg.Kafka.Topics.Events, e.log, nil)
		defer events.Close()
		dead := kafka.NewProducer(cfg.Kafka, cfg.Kafka.Topics.DeadLetter, e.log, nil)
		defer dead.Close()
		// A one-shot command has no /metrics to scrape: its summary is its report.
		opts.Writer = writer.New(writer.Options{Events: events, DeadLetter: dead, ProduceTimeout: cfg.Ingest.ProduceTimeout, Log: e.log})
	}
	term := false
	if f, ok := e.stderr.(*os.File); ok {
		term = isatty.IsTerminal(f.Fd())
	}
	bar := importer.NewBar(e.stderr, term, size)
	opts.Progress = bar.Update
	sum, err := importer.Run(ctx, in, opts)
	if err != nil && sum.Rows == 0 {
		// Nothing was read (a bad header, an unreadable file): the error alone says it, without a
		// progress line or a summary of zero rows.
		fmt.Fprintf(e.stderr, "cxm import: %s: %v\n", path, err)
		return exitError{1}
	}
	bar.Done(importer.Progress{Rows: sum.Rows, Bytes: size})
	for i, re := range sum.Errors {
		if i == maxErrs {
			fmt.Fprintf(e.stderr, "… and %d more errors\n", len(sum.Errors)-maxErrs)
			break
		}
		fmt.Fprintln(e.stderr, re.String())
	}
	verb := "written"
	if dry {
		verb = "valid (dry run, nothing written)"
	}
	fmt.Fprintf(e.stdout, "%s: %d rows, %d %s, %d duplicate ids in the file, %d rejected\n",
		path, sum.Rows, sum.Written, verb, sum.Duplicates, sum.Rejected)
	if err != nil {
		return err
	}
	if sum.Rejected > 0 {
		// The summary and the row errors said it all; the exit code tells a script.
		return exitError{1}
	}
	return nil
}
