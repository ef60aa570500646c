package main

import (
	"context"
	"errors"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/httpserver"
	"github.com/cxm-project/cxm/processor"
)

func processCommand() command {
	return command{
		use:   "process",
		short: "run the windowed processor: consume events, write raw events and minute KPI components to ClickHouse",
		uses:  []section{httpSection, kafkaSection, clickhouseSection},
		run:   runProcess,
	}
}

// runProcess runs one processor instance (start as many as the topic has partitions) with its own
// /metrics, /healthz and /readyz on http.listen. SIGINT/SIGTERM flush, commit and leave the group.
func runProcess(ctx context.Context, e *env) error {
	p, err := processor.New(e.cfg, e.log.With("part", "processor"), e.reg)
	if err != nil {
		return err
	}
	srv := httpserver.New(e.log.With("part", "http"), e.reg)
	p.Mount(srv)
	conn, err := clickhouse.Open(ctx, e.cfg.ClickHouse)
	if err != nil {
		return err
	}
	defer conn.Close()
	defer startEvaluator(ctx, e.cfg, conn, p, e.log.With("part", "status"), e.reg)()
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(runCtx, e.cfg.HTTP.Listen, e.cfg.HTTP.ShutdownTimeout) }()
	err = p.Run(ctx)
	cancel()
	if herr := <-errc; herr != nil && err == nil && !errors.Is(herr, context.Canceled) {
		err = herr
	}
	return err
}
