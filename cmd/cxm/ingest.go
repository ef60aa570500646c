package main

import (
	"context"
	"time"

	"github.com/cxm-project/cxm/ingest"
	"github.com/cxm-project/cxm/internal/httpserver"
	"github.com/cxm-project/cxm/internal/kafka"
)

func ingestCommand() command {
	return command{
		use:   "ingest",
		short: "serve the event API (POST /v1/events), QR surveys (/s/…) and the CX maturity assessment (/assessment)",
		uses:  []section{httpSection, kafkaSection},
		run:   runIngest,
	}
}

// runIngest serves the ingest alone on http.listen, with /metrics, /healthz and /readyz (ready while Kafka
// answers and the dedupe set has caught up). The development token stays off unless ingest.dev_token is set.
func runIngest(ctx context.Context, e *env) error {
	cfg := e.cfg
	// Creating the topics is best effort: with Kafka down the ingest still starts, answers 503 and becomes
	// ready when Kafka is back.
	tctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	if err := kafka.EnsureTopics(tctx, cfg.Kafka); err != nil {
		e.log.Warn("kafka topics not ensured; continuing", "err", err)
	}
	cancel()
	svc, err := ingest.New(ctx, cfg, e.log.With("part", "ingest"), e.reg)
	if err != nil {
		return err
	}
	srv := httpserver.New(e.log.With("part", "http"), e.reg)
	svc.Mount(srv)
	serveErr := srv.Serve(ctx, cfg.HTTP.Listen, cfg.HTTP.ShutdownTimeout)
	if err := svc.Close(); err != nil && serveErr == nil {
		return err
	}
	return serveErr
}
