package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/spf13/pflag"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
)

func privacyCommand() command {
	return command{
		use:   "privacy",
		short: "personal data: erase one person's name, e-mail and comments",
		subs: []command{{
			use:   "erase",
			short: "erase a person's name, e-mail and comments from ClickHouse, and say what Kafka still holds",
			example: `  cxm privacy erase --email anna@example.com
  cxm privacy erase --phone "+7 900 123-45-67"
  cxm privacy erase --respondent 4f1c0a9e2b7d4c6f8e1a3b5c7d9e0f12`,
			uses: []section{clickhouseSection},
			flags: func(fs *pflag.FlagSet) {
				fs.String("email", "", "the e-mail the person gave in the assessment or a survey's contact-me")
				fs.String("phone", "", "the phone the person gave in a survey's contact-me, exactly as stored")
				fs.String("respondent", "", "the reference the assessment's result page showed (32 hex digits)")
			},
			run: runPrivacy,
		}},
	}
}

// runPrivacy erases one person's personal data and says what still holds it.
func runPrivacy(ctx context.Context, e *env) error {
	email, _ := e.flags.GetString("email")
	ref, _ := e.flags.GetString("respondent")
	phone, _ := e.flags.GetString("phone")
	if n := btoi(email != "") + btoi(ref != "") + btoi(phone != ""); n != 1 {
		fmt.Fprintln(e.stderr, "cxm privacy erase: give exactly one of --email, --phone and --respondent")
		return errUsage
	}
	conn, err := clickhouse.Open(ctx, e.cfg.ClickHouse)
	if err != nil {
		return err
	}
	defer conn.Close()
	n, err := clickhouse.ErasePersonal(ctx, conn, e.cfg.ClickHouse.Database, clickhouse.Erasure{Email: email, Phone: phone, Respondent: ref})
	if err != nil {
		return err
	}
	w := e.stdout
	fmt.Fprintf(w, "erased the name, e-mail and comment of %d event(s) in ClickHouse %s.events (the anonymous answers and figures stay)\n", n, e.cfg.ClickHouse.Database)
	fmt.Fprintf(w, "still held until the topic's retention.ms: Kafka topic %s (the original events; the processor never re-reads what ClickHouse already holds) and %s (copies of rejected events)\n",
		e.cfg.Kafka.Topics.Events, e.cfg.Kafka.Topics.DeadLetter)
	return nil
}

// startPrivacySweeper applies privacy.retention every privacy.sweep_interval until stop; every processor
// runs one (the sweep is idempotent).
func startPrivacySweeper(ctx context.Context, cfg *config.Config, conn driver.Conn, log *slog.Logger) (stop func()) {
	if cfg.Privacy.Retention <= 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(cfg.Privacy.SweepInterval)
		defer t.Stop()
		for {
			sctx, c := context.WithTimeout(ctx, cfg.Privacy.SweepInterval)
			n, err := clickhouse.RetainPersonal(sctx, conn, cfg.ClickHouse.Database, time.Now().Add(-cfg.Privacy.Retention))
			c()
			switch {
			case err != nil && ctx.Err() == nil:
				log.Warn("privacy retention sweep failed", "err", err)
			case n > 0:
				log.Info("privacy retention: personal data blanked", "events", n, "older_than", cfg.Privacy.Retention)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
