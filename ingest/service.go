// Package ingest is CXM's front door: the event API (POST /v1/events), the QR surveys (/s/…), the CX
// maturity self-assessment (/assessment) and, through package importer, CSV imports. Everything it accepts
// goes to the Kafka events topic; what it rejects goes to the dead-letter topic with the reason.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cxm-project/cxm/ingest/api"
	"github.com/cxm-project/cxm/ingest/caseaction"
	"github.com/cxm-project/cxm/ingest/dedupe"
	"github.com/cxm-project/cxm/ingest/evidence"
	"github.com/cxm-project/cxm/ingest/maturity"
	"github.com/cxm-project/cxm/ingest/metrics"
	"github.com/cxm-project/cxm/ingest/rules"
	"github.com/cxm-project/cxm/ingest/survey"
	"github.com/cxm-project/cxm/ingest/writer"
	"github.com/cxm-project/cxm/internal/auth"
	"github.com/cxm-project/cxm/internal/config"
	ievidence "github.com/cxm-project/cxm/internal/evidence"
	"github.com/cxm-project/cxm/internal/httpserver"
	"github.com/cxm-project/cxm/internal/kafka"
	"github.com/cxm-project/cxm/internal/ratelimit"
)

// Service is the ingest of one process.
type Service struct {
	cfg        *config.Config
	log        *slog.Logger
	events     *kafka.Producer
	deadLetter *kafka.Producer
	seen       *dedupe.Set
	out        *writer.Writer
	tailer     *dedupe.Tailer
	rules      *rules.Rules
	api        *api.Events
	surveys    *survey.Handler
	assessment *maturity.Handler
	actions    *caseaction.Handler
	evidence   *evidence.Handler
	cancel     context.CancelFunc
	wg         sync.WaitGroup
	closeOnce  sync.Once
}

// New builds the ingest and starts rebuilding its dedupe set from the events topic. Kafka need not be up:
// /readyz says when it is, and requests meanwhile get 503. Its metrics, and those of its Kafka producers
// (labelled component="ingest"), register with reg; nil leaves them unregistered.
func New(ctx context.Context, cfg *config.Config, log *slog.Logger, reg prometheus.Registerer) (*Service, error) {
	if log == nil {
		log = slog.Default()
	}
	in := cfg.Ingest
	tokens := auth.New(in.Tokens, in.DevToken, in.RateLimit)
	if in.DevToken {
		log.Warn("ingest: the development token is accepted for every location (ingest.dev_token); never enable it in production",
			"token", auth.DevToken)
	}
	if tokens.Len() == 0 {
		log.Warn("ingest: no write tokens configured (ingest.tokens): every POST /v1/events will be refused with 401; create one with `cxm token new`")
	}
	km := kafka.NewMetrics(kafka.ComponentRegisterer(reg, "ingest"))
	s := &Service{
		cfg:        cfg,
		log:        log,
		events:     kafka.NewProducer(cfg.Kafka, cfg.Kafka.Topics.Events, log.With("producer", "events"), km),
		deadLetter: kafka.NewProducer(cfg.Kafka, cfg.Kafka.Topics.DeadLetter, log.With("producer", "deadletter"), km),
		seen:       dedupe.New(in.Dedupe.Horizon, in.Dedupe.MaxIDs),
		rules:      rules.New(cfg),
	}
	s.tailer = dedupe.NewTailer(s.seen, cfg.Kafka, cfg.Kafka.Topics.Events, log.With("part", "dedupe"))
	// The tailer learns where this instance's acknowledged events went, and reads only the others'.
	s.events.Observe(s.tailer)
	s.out = writer.New(writer.Options{Events: s.events, DeadLetter: s.deadLetter, Seen: s.seen,
		Metrics: metrics.New(reg), ProduceTimeout: in.ProduceTimeout, Log: log})
	s.api = api.NewEvents(api.Options{
		Config: cfg, Tokens: tokens, Limiter: ratelimit.New(), Rules: s.rules, Writer: s.out, Log: log,
	})
	var err error
	if s.surveys, err = survey.New(cfg, s.rules, s.out.Submit, s.out.Metrics(), log.With("part", "survey")); err != nil {
		return nil, err
	}
	s.actions = caseaction.New(cfg, s.rules, s.out.Submit, log.With("part", "cases"))
	store, err := ievidence.Open(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("objstore: %w", err)
	}
	s.evidence = evidence.New(cfg, tokens, s.rules, store, log.With("part", "evidence"))
	s.assessment = maturity.New(cfg, s.rules, s.out.Submit, func(err error) bool { return errors.Is(err, writer.ErrDuplicate) }, log.With("part", "assessment"))

	tctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.cancel = cancel
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.tailer.Run(tctx)
	}()
	return s, nil
}

// Mount adds the ingest's routes and its readiness checks ("kafka", "dedupe") to the shared listener.
func (s *Service) Mount(srv *httpserver.Server) {
	srv.Mux.Handle("POST /v1/events", s.api)
	s.actions.Mount(srv.Mux)
	s.evidence.Mount(srv.Mux)
	s.surveys.Mount(srv.Mux)
	if s.cfg.Ingest.Assessment.Enabled {
		s.assessment.Mount(srv.Mux)
	}
	srv.AddCheck(httpserver.Check{Name: "kafka", Func: func(ctx context.Context) error { return kafka.Ping(ctx, s.cfg.Kafka) }})
	srv.AddCheck(httpserver.Check{Name: "dedupe", Func: s.tailer.Ready})
}

// Handler is the ingest's routes alone, for tests and embedding.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /v1/events", s.api)
	s.actions.Mount(mux)
	s.evidence.Mount(mux)
	s.surveys.Mount(mux)
	if s.cfg.Ingest.Assessment.Enabled {
		s.assessment.Mount(mux)
	}
	return mux
}

// Close stops tailing and closes the producers. Produce is synchronous, so every acknowledged event is
// already in Kafka; call it after the HTTP server has drained.
func (s *Service) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.cancel()
		s.wg.Wait()
		err = errors.Join(s.events.Close(), s.deadLetter.Close())
	})
	return err
}
