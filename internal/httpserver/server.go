// Package httpserver is the one HTTP listener every CXM service shares: components mount their routes on
// it, and it serves /metrics, /healthz and /readyz and shuts down gracefully.
package httpserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cxm-project/cxm/internal/config"
)

// Check is a named readiness check: nil means ready.
type Check struct {
	Name string
	Func func(ctx context.Context) error
}

// Server is an http.ServeMux with the operational endpoints already mounted.
type Server struct {
	Mux      *http.ServeMux
	log      *slog.Logger
	registry prometheus.Gatherer
	mu       sync.Mutex
	checks   []Check
	// Listener settings (Configure); sem holds one slot per request being served.
	cfg        config.HTTP
	configured bool
	sem        chan struct{}
	refused    prometheus.Counter
}

// New returns a server whose /metrics serves g, the process's registry (version.Registry) that its
// components registered their metrics with; nil serves an empty registry.
func New(log *slog.Logger, g prometheus.Gatherer) *Server {
	if g == nil {
		g = prometheus.NewRegistry()
	}
	s := &Server{Mux: http.NewServeMux(), log: log, registry: g}
	// The process's registry is also where its components register; a bare Gatherer leaves this one out.
	reg, _ := g.(prometheus.Registerer)
	s.refused = promauto.With(reg).NewCounter(prometheus.CounterOpts{
		Name: "cxm_http_refused_total",
		Help: "Requests answered 503 because http.max_concurrent requests were being served.",
	})
	s.Mux.Handle("GET /metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{}))
	s.Mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
	})
	s.Mux.HandleFunc("GET /readyz", s.readyz)
	return s
}

// AddCheck adds a readiness check; /readyz answers 503 while any fails.
func (s *Server) AddCheck(c Check) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checks = append(s.checks, c)
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	checks := append([]Check(nil), s.checks...)
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	out := map[string]string{}
	ready := true
	for _, c := range checks {
		if err := c.Func(ctx); err != nil {
			// The reason goes to the log only: error text names hosts, ports and versions an outsider
			// should not learn from a public probe.
			s.log.Warn("readiness check failing", "check", c.Name, "err", err)
			out[c.Name] = "failing"
			ready = false
		} else {
			out[c.Name] = "ok"
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if !ready {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"ready": ready, "checks": out})
}

// Serve listens on addr until ctx ends, then drains in-flight requests for up to grace.
func (s *Server) Serve(ctx context.Context, addr string, grace time.Duration) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.ServeListener(ctx, ln, grace)
}

// ServeListener is Serve on a listener the caller opened (tests use 127.0.0.1:0). With http.internal_listen
// set, the operational endpoints are served there instead.
func (s *Server) ServeListener(ctx context.Context, ln net.Listener, grace time.Duration) error {
	h := s.settings()
	srv := s.httpServer(h, s.Handler())
	servers := []*http.Server{srv}
	errc := make(chan error, 2)
	go func() {
		var err error
		if h.TLS.CertFile != "" {
			err = srv.ServeTLS(ln, h.TLS.CertFile, h.TLS.KeyFile)
		} else {
			err = srv.Serve(ln)
		}
		errc <- err
	}()
	s.log.Info("http listening", "addr", ln.Addr().String(), "tls", h.TLS.CertFile != "")
	if h.InternalListen != "" {
		iln, err := net.Listen("tcp", h.InternalListen)
		if err != nil {
			_ = srv.Close()
			return fmt.Errorf("http.internal_listen %s: %w", h.InternalListen, err)
		}
		isrv := s.httpServer(h, s.internalHandler())
		isrv.TLSConfig = nil
		servers = append(servers, isrv)
		go func() { errc <- isrv.Serve(iln) }()
		s.log.Info("internal http listening (/metrics, /healthz, /readyz)", "addr", iln.Addr().String())
	}
	var serveErr error
	select {
	case serveErr = <-errc:
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	for _, hs := range servers {
		if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) && serveErr == nil {
			serveErr = err
		}
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		return nil
	}
	return serveErr
}
