package main

import (
	"context"
	"log/slog"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/processor"
	"github.com/cxm-project/cxm/processor/status"
)

// startEvaluator runs the traffic-light evaluator beside a processor until stop is called. It evaluates
// only the locations of the partitions this processor owns, so several instances never write one status
// twice. The caller owns conn and closes it after stop.
func startEvaluator(ctx context.Context, cfg *config.Config, conn driver.Conn, p *processor.Processor, log *slog.Logger, reg prometheus.Registerer) (stop func()) {
	ev := status.New(cfg, conn, log, reg)
	ev.SetOwner(status.OwnedBy(p.Owns, cfg.Kafka.Partitions))
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := ev.Run(ctx); err != nil {
			log.Error("status evaluator stopped", "err", err)
		}
	}()
	return func() {
		cancel()
		<-done
	}
}
