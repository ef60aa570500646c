package main

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/internal/cases"
	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/httpserver"
	"github.com/cxm-project/cxm/internal/query"
	"github.com/prometheus/client_golang/prometheus"
)

func casesCommand() command {
	return command{
		use:   "cases",
		short: "run the case rule engine (events topic -> case open events) and the overdue-cases gauges",
		uses:  []section{httpSection, kafkaSection, clickhouseSection},
		run:   runCases,
	}
}

// runCases runs the rule engine and the gauges with /metrics, /healthz and /readyz on http.listen.
func runCases(ctx context.Context, e *env) error {
	conn, err := clickhouse.Open(ctx, e.cfg.ClickHouse)
	if err != nil {
		return err
	}
	defer conn.Close()
	srv := httpserver.New(e.log.With("part", "http"), e.reg)
	srv.Configure(e.cfg.HTTP)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(runCtx, e.cfg.HTTP.Listen, e.cfg.HTTP.ShutdownTimeout) }()
	err = startCases(ctx, e.cfg, conn, e.log.With("part", "cases"), e.reg)()
	cancel()
	if herr := <-errc; herr != nil && err == nil && !errors.Is(herr, context.Canceled) {
		err = herr
	}
	return err
}

// startCases starts the rule engine and the overdue gauges; wait blocks until ctx ends and both stopped,
// and returns the engine's error.
func startCases(ctx context.Context, cfg *config.Config, conn driver.Conn, log *slog.Logger, reg prometheus.Registerer) (wait func() error) {
	g := cases.NewEngine(cfg, log, reg)
	gauges := cases.NewGauges(query.ForConfig(conn, cfg.ClickHouse.Database, cfg), cfg.Cases.OverdueInterval, cfg.API.MaxRange, log, reg)
	var wg sync.WaitGroup
	var runErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		runErr = g.Run(ctx)
	}()
	go func() {
		defer wg.Done()
		gauges.Run(ctx)
	}()
	return func() error {
		wg.Wait()
		return runErr
	}
}
