package main

import (
	"context"
	"fmt"

	"github.com/cxm-project/cxm/internal/api"
	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/httpserver"
)

func apiCommand() command {
	return command{
		use:   "api",
		short: "serve the read API: KPI series, statuses, raw-event export, locations (JSON, CSV, Excel)",
		uses:  []section{httpSection, clickhouseSection, kafkaSection},
		run:   runAPI,
	}
}

// runAPI serves the read API alone on http.listen, with /metrics, /healthz and /readyz (ready while
// ClickHouse answers).
func runAPI(ctx context.Context, e *env) error {
	cfg := e.cfg
	if len(cfg.API.Tokens) == 0 {
		e.log.Warn("no read tokens configured (api.tokens): every request will be refused with 401")
	}
	conn, err := clickhouse.Open(ctx, cfg.ClickHouse)
	if err != nil {
		return fmt.Errorf("clickhouse: %w (is it running? make clickhouse)", err)
	}
	defer conn.Close()
	srv := httpserver.New(e.log.With("part", "http"), e.reg)
	srv.Configure(cfg.HTTP)
	srv.AddCheck(httpserver.Check{Name: "clickhouse", Func: func(ctx context.Context) error { return clickhouse.Ping(ctx, conn) }})
	store, stopEvidence, err := openEvidence(ctx, cfg, e.log.With("part", "evidence"))
	if err != nil {
		return err
	}
	defer stopEvidence()
	api.New(cfg, conn, e.log.With("part", "api"), e.reg).WithEvidence(store).Mount(srv)
	if err := mountConsole(cfg, srv); err != nil {
		return err
	}
	if cfg.Cases.Enabled {
		closeActions := mountCaseActions(cfg, srv, e.log.With("part", "cases"), e.reg)
		defer func() { _ = closeActions() }()
	}
	return srv.Serve(ctx, cfg.HTTP.Listen, cfg.HTTP.ShutdownTimeout)
}
