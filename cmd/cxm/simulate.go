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

func init() {
	register(command{
		name:    "simulate",
		summary: "send realistic events of the registry's stores to the ingest API",
		flags: func(fs *pflag.FlagSet) {
			fs.String("simulate.target", "", "ingest base URL")
			fs.String("simulate.token", "", "write token")
			fs.Float64("simulate.speed", 0, "simulated seconds per real second")
			fs.Int64("simulate.seed", 0, "random seed (0: random)")
		},
		run: func(ctx context.Context, e *env) error { return runSimulate(ctx, e.cfg, e) },
	})
}

func runSimulate(ctx context.Context, cfg *config.Config, e *env) error {
	sc := cfg.Simulate
	if sc.Token == "" {
		return errors.New("config simulate.token: must be set (a write token for the simulated stores)")
	}
	if len(cfg.Locations) == 0 {
		return errors.New("config locations: the registry is empty; the ingest accepts only registered locations (see cxm.yaml)")
	}
	seed := uint64(sc.Seed)
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	profiles := simulate.NewProfiles(cfg.Locations, seed)
	gen := simulate.NewGenerator(profiles, seed, strconv.FormatInt(time.Now().Unix(), 36), simulate.DefaultDefects)
	s := &simulate.Sender{URL: sc.Target, Token: sc.Token, Client: &http.Client{Timeout: 30 * time.Second}, Log: e.log}
	e.log.Info("simulating stores", "stores", len(profiles), "target", sc.Target, "speed", sc.Speed)
	if err := simulate.Run(ctx, gen, s, sc.Interval, sc.Speed); err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	return nil
}
