package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/mattn/go-isatty"
	"github.com/spf13/pflag"

	"github.com/cxm-project/cxm/ingest/importer"
	"github.com/cxm-project/cxm/ingest/rules"
	"github.com/cxm-project/cxm/internal/kafka"
)

func init() {
	register(command{
		name:    "import",
		summary: "import receipts|counters FILE.csv: load POS receipts or door counts from CSV into Kafka",
		flags: func(fs *pflag.FlagSet) {
			fs.Bool("dry-run", false, "validate every row, write nothing")
			fs.Int("max-errors", 50, "row errors to print (all are counted)")
		},
		run: runImport,
	})
}

// errRejected makes the exit code non-zero when rows were rejected, after the summary was printed.
var errRejected = errors.New("some rows were rejected")

func runImport(ctx context.Context, e *env) error {
	args := e.flags.Args()
	if len(args) != 2 || !slices.Contains(importer.Kinds(), args[0]) {
		fmt.Fprintln(e.stderr, "usage: cxm import receipts|counters FILE.csv   (FILE - reads stdin)")
		return errUsage
	}
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
		events := kafka.NewProducer(cfg.Kafka, cfg.Kafka.Topics.Events, e.log)
		defer events.Close()
		dead := kafka.NewProducer(cfg.Kafka, cfg.Kafka.Topics.DeadLetter, e.log)
		defer dead.Close()
		opts.Events, opts.DeadLetter = events, dead
	}
	term := false
	if f, ok := e.stderr.(*os.File); ok {
		term = isatty.IsTerminal(f.Fd())
	}
	bar := importer.NewBar(e.stderr, term, size)
	opts.Progress = bar.Update
	sum, err := importer.Run(ctx, in, opts)
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
		return errRejected
	}
	return nil
}
