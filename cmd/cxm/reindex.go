package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/processor/reindex"
)

func reindexCommand() command {
	return command{
		use:   "reindex",
		short: "recompute the components of configured questionnaires from the raw events (after a definition change)",
		long: `Recomputes survey_minute — answer counts and per-respondent index scores of the questionnaires under
surveys: — from the events table over [--from, --to), so a changed questionnaire or index definition applies
to history. Idempotent: it writes only the difference between what the events give and what is stored, so
running it again writes nothing. Run it over ranges the processor no longer writes to (older than
processor.allowed_lateness), or with the processor stopped: an event counted while it runs could be counted
twice. A progress bar is printed on stderr.`,
		example: `  cxm reindex --from 2026-01-01T00:00:00Z --to 2026-06-01T00:00:00Z
  cxm reindex --survey rsqs --from 2026-05-01T00:00:00+03:00 --to 2026-05-08T00:00:00+03:00`,
		uses: []section{clickhouseSection},
		flags: func(fs *pflag.FlagSet) {
			fs.String("from", "", "start of the range, RFC 3339, a whole minute (required)")
			fs.String("to", "", "end of the range, exclusive, RFC 3339, a whole minute (required)")
			fs.StringSlice("survey", nil, "questionnaire ids to recompute (default: every configured one)")
			fs.Duration("period", 24*time.Hour, "events recomputed per step (memory holds one period's components)")
		},
		run: runReindex,
	}
}

func runReindex(ctx context.Context, e *env) error {
	get := func(name string) (time.Time, error) {
		s, _ := e.flags.GetString(name)
		if s == "" {
			return time.Time{}, fmt.Errorf("--%s is required (RFC 3339, e.g. 2026-05-01T00:00:00Z)", name)
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("--%s: %w", name, err)
		}
		return t, nil
	}
	from, err := get("from")
	if err != nil {
		return err
	}
	to, err := get("to")
	if err != nil {
		return err
	}
	surveys, _ := e.flags.GetStringSlice("survey")
	period, _ := e.flags.GetDuration("period")
	conn, err := clickhouse.Open(ctx, e.cfg.ClickHouse)
	if err != nil {
		return err
	}
	defer conn.Close()
	res, err := reindex.Run(ctx, conn, e.cfg.ClickHouse.Database, e.cfg.Catalog(), surveys, from, to, period, bar(e.stderr))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "reindexed %s .. %s: %d survey events read, %d correction rows written\n",
		from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339), res.Events, res.Rows)
	return nil
}

// bar draws a progress bar on w, redrawn in place.
func bar(w io.Writer) reindex.Progress {
	const width = 30
	return func(done, total int, events, rows int64) {
		n := width * done / max(total, 1)
		fmt.Fprintf(w, "\r[%s%s] %d/%d periods, %d events, %d rows", strings.Repeat("=", n), strings.Repeat(" ", width-n), done, total, events, rows)
		if done == total {
			fmt.Fprintln(w)
		}
	}
}
