package main

import (
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cxm-project/cxm/ingest/caseaction"
	"github.com/cxm-project/cxm/ingest/rules"
	"github.com/cxm-project/cxm/ingest/writer"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/httpserver"
	"github.com/cxm-project/cxm/internal/kafka"
)

// mountCaseActions serves the inbox's POST /v1/cases/{id}/actions beside the read API and the console
// when `cxm api` runs without the ingest (the console is served from the API's origin): a producer of
// its own writes the case events to Kafka, checked by the ingest's rules. Without the ingest's dedupe
// set a retried action is written again; the processor drops it by its id. It returns the close function.
func mountCaseActions(cfg *config.Config, srv *httpserver.Server, log *slog.Logger, reg prometheus.Registerer) func() error {
	km := kafka.NewMetrics(kafka.ComponentRegisterer(reg, "api"))
	p := kafka.NewProducer(cfg.Kafka, cfg.Kafka.Topics.Events, log.With("producer", "cases"), km)
	w := writer.New(writer.Options{Events: p, ProduceTimeout: cfg.Ingest.ProduceTimeout, Log: log})
	caseaction.New(cfg, rules.New(cfg), w.Submit, log).Mount(srv.Mux)
	return p.Close
}
