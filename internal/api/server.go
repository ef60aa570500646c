// Package api is CXM's read API: KPI series, current statuses, raw-event export, CX maturity assessments
// and the location registry, as JSON, CSV and Excel, behind read tokens. Figures come from internal/query, the engine the Grafana
// plugin uses too. schemas/openapi.yaml describes every endpoint; the tests check real answers against it.
package api

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/httpserver"
	"github.com/cxm-project/cxm/internal/objstore"
	"github.com/cxm-project/cxm/internal/query"
)

// Server holds the API's handlers.
type Server struct {
	cfg     *config.Config
	engine  *query.Engine
	log     *slog.Logger
	tokens  *tokens
	metrics *metrics
	limits  *tokenLimits
	// evidence is the audit attachments' store (audits.go).
	evidence objstore.Store
}

// New builds the API on an open ClickHouse connection. Its metrics register with reg (nil: nowhere; a
// second server on one registerer panics).
func New(cfg *config.Config, conn driver.Conn, log *slog.Logger, reg prometheus.Registerer) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := cfg.API
	return &Server{
		cfg:     cfg,
		engine:  query.ForConfig(conn, cfg.ClickHouse.Database, cfg),
		log:     log,
		tokens:  newTokens(a.Tokens),
		metrics: newMetrics(reg),
		limits:  newTokenLimits(a.RateLimit),
	}
}

// Engine is the server's query engine (cxm run shares it).
func (s *Server) Engine() *query.Engine { return s.engine }

// Mount adds the API's routes to the shared listener.
func (s *Server) Mount(srv *httpserver.Server) { s.Routes(srv.Mux) }

// Routes adds the API's routes to a mux.
func (s *Server) Routes(mux *http.ServeMux) {
	s.handle(mux, "GET /v1/kpis", "kpis", s.kpis)
	s.handle(mux, "GET /v1/status", "status", s.status)
	s.handle(mux, "GET /v1/events", "events", s.events)
	s.handle(mux, "GET /v1/locations", "locations", s.locations)
	s.handle(mux, "GET /v1/assessments", "assessments", s.assessments)
	s.handle(mux, "GET /v1/assessments/{id}", "assessment", s.assessment)
	s.handle(mux, "GET /v1/reasons", "reasons", s.reasons)
	s.handle(mux, "GET /v1/breakdown", "breakdown", s.breakdown)
	s.handle(mux, "GET /v1/handoff", "handoff", s.handoff)
	mux.HandleFunc("GET /v1/openapi.yaml", s.openapi)
	s.handle(mux, "POST /v1/assessments/{id}/email", "assessment_email", s.assessmentEmail)
	s.routeCases(mux) // the closed loop (cases.go)
	s.auditRoutes(mux)
}

// handler is an authenticated endpoint: it gets the caller's scope.
type handler func(w http.ResponseWriter, r *http.Request, sc *scope)

// handle wraps h with authentication, metrics and logging.
func (s *Server) handle(mux *http.ServeMux, pattern, name string, h handler) {
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		defer func() {
			s.metrics.requests.WithLabelValues(name, strconv.Itoa(rw.code)).Inc()
			s.metrics.seconds.WithLabelValues(name).Observe(time.Since(start).Seconds())
		}()
		sc, err := s.tokens.authenticate(r)
		if err != nil {
			rw.Header().Set("WWW-Authenticate", `Bearer realm="cxm"`)
			writeError(rw, http.StatusUnauthorized, "authorization", err.Error())
			return
		}
		if !s.limits.acquire(rw, sc.name) {
			return
		}
		defer s.limits.release(sc.name)
		h(rw, r, sc)
		if rw.code >= 500 {
			s.log.Error("api request failed", "endpoint", name, "status", rw.code, "token", sc.name)
		}
	})
}

// statusWriter records the status for metrics.
type statusWriter struct {
	http.ResponseWriter
	code    int
	written bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.written {
		w.code, w.written = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.written = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (an export extends its write deadline).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush lets streamed exports reach the client as they are written.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

type metrics struct {
	requests *prometheus.CounterVec
	seconds  *prometheus.HistogramVec
	rows     prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	return &metrics{
		requests: f.NewCounterVec(prometheus.CounterOpts{
			Name: "cxm_api_requests_total", Help: "API requests by endpoint and HTTP status.",
		}, []string{"endpoint", "code"}),
		seconds: f.NewHistogramVec(prometheus.HistogramOpts{
			Name: "cxm_api_request_duration_seconds", Help: "API request duration by endpoint.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 120},
		}, []string{"endpoint"}),
		rows: f.NewCounter(prometheus.CounterOpts{
			Name: "cxm_api_exported_events_total", Help: "Raw events streamed by /v1/events.",
		}),
	}
}

// apiError is the body of every error answer.
type apiError struct {
	Error  string `json:"error"`
	Param  string `json:"param,omitempty"`
	Reason string `json:"reason"`
	Limit  string `json:"limit,omitempty"`
}

func writeError(w http.ResponseWriter, code int, param, reason string) {
	writeJSON(w, code, apiError{Error: http.StatusText(code), Param: param, Reason: reason})
}

// writeQueryError maps the engine's errors to HTTP: bad input and limits are the caller's to fix (400),
// scope is 403, a timeout 504, anything else 500 (logged, not shown).
func (s *Server) writeQueryError(w http.ResponseWriter, r *http.Request, err error) {
	var (
		in  *query.InputError
		lim *query.LimitError
		sc  *query.ScopeError
		to  *query.TimeoutError
		nf  *query.NotFoundError
	)
	switch {
	case errors.As(err, &in):
		writeError(w, http.StatusBadRequest, in.Param, in.Reason)
	case errors.As(err, &lim):
		writeJSON(w, http.StatusBadRequest, apiError{Error: http.StatusText(http.StatusBadRequest), Param: lim.Param, Reason: lim.Reason, Limit: lim.Limit})
	case errors.As(err, &sc):
		writeError(w, http.StatusForbidden, "location", "this token may not read "+sc.Location)
	case errors.As(err, &nf):
		writeError(w, http.StatusNotFound, "id", nf.Error())
	case errors.As(err, &to):
		writeJSON(w, http.StatusGatewayTimeout, apiError{Error: http.StatusText(http.StatusGatewayTimeout), Reason: to.Error(), Limit: cmp.Or(to.Limit, "api.query_timeout")})
	case errors.Is(err, context.Canceled):
		// The client went away; nobody reads the answer.
	case s.shardDown(w, r, err):
	case unavailable(err):
		s.log.Warn("api query: clickhouse unavailable", "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", strconv.Itoa(int((s.cfg.API.RetryAfter+time.Second-1)/time.Second)))
		writeError(w, http.StatusServiceUnavailable, "", "the database cannot be reached; retry later")
	default:
		s.log.Error("api query", "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, "", "the query failed; the server log has the details")
	}
}

// shardDown answers 503 naming the shard when a query through a Distributed table found no replica of a
// shard (clickhouse.cluster): partial figures would look like real ones, so there are none.
func (s *Server) shardDown(w http.ResponseWriter, r *http.Request, err error) bool {
	se := s.engine.ShardUnavailable(r.Context(), s.cfg.ClickHouse.Cluster, err)
	if se == nil {
		return false
	}
	s.log.Error("api query: shard unavailable", "path", r.URL.Path, "shards", se.Shards, "hosts", se.Hosts)
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int((s.cfg.API.RetryAfter+time.Second-1)/time.Second))))
	writeError(w, http.StatusServiceUnavailable, "", se.Error())
	return true
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	_ = enc.Encode(v)
}
