package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/simulate"
	"github.com/spf13/pflag"
)

func simulateCommand() command {
	return command{
		use:   "simulate",
		short: "send realistic events of the registry's stores to the ingest API",
		flags: func(fs *pflag.FlagSet) {
			fs.String("simulate.target", "", "ingest base URL")
			fs.String("simulate.token", "", "write token")
			fs.Float64("simulate.speed", 0, "simulated seconds per real second")
			fs.Int64("simulate.seed", 0, "seed of the stores' profiles")
			fs.Duration("simulate.backfill", 0, "history to send at start (0: none)")
		},
		run: func(ctx context.Context, e *env) error { return runSimulate(ctx, e.cfg, e) },
	}
}

func runSimulate(ctx context.Context, cfg *config.Config, e *env) error {
	sc := cfg.Simulate
	if sc.Token == "" {
		return errors.New("config simulate.token: must be set (a write token for the simulated stores)")
	}
	if len(cfg.Locations) == 0 {
		return errors.New("config locations: the registry is empty; the ingest accepts only registered locations (see cxm.yaml)")
	}
	profiles := simulate.NewProfiles(cfg.Locations, uint64(sc.Seed))
	if len(cfg.Reasons.Positive)+len(cfg.Reasons.Negative) > 0 {
		for _, p := range profiles {
			p.Reasons = &cfg.Reasons
		}
	}
	s := &simulate.Sender{URL: sc.Target, Token: sc.Token, Client: &http.Client{Timeout: 30 * time.Second}, Log: e.log}
	now := time.Now()
	if sc.Backfill > 0 {
		e.log.Info("backfilling history", "stores", len(profiles), "from", now.Add(-sc.Backfill).Truncate(time.Minute))
		out, err := simulate.Backfill(ctx, profiles, s, now.Add(-sc.Backfill), now.Truncate(time.Minute), 5000)
		if err != nil {
			return fmt.Errorf("simulate backfill: %w", err)
		}
		e.log.Info("history backfilled", "accepted", out.Accepted, "duplicates", out.Duplicates, "rejected", out.Rejected)
	}
	// Live events get a fresh seed and run tag, so a restart never reuses an id.
	gen := simulate.NewGenerator(profiles, uint64(now.UnixNano()), strconv.FormatInt(now.Unix(), 36), simulate.DefaultDefects)
	e.log.Info("simulating stores", "stores", len(profiles), "target", sc.Target, "speed", sc.Speed)
	if err := simulate.Run(ctx, gen, s, sc.Interval, sc.Speed); err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	return nil
}
