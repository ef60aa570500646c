// Package httpserver is the one HTTP listener every CXM service shares: components mount their routes on
// it, and it serves /metrics, /healthz and /readyz and shuts down gracefully.
package httpserver

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
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
}

// New returns a server whose /metrics serves g, the process's registry (version.Registry) that its
// components registered their metrics with; nil serves an empty registry.
func New(log *slog.Logger, g prometheus.Gatherer) *Server {
	if g == nil {
		g = prometheus.NewRegistry()
	}
	s := &Server{Mux: http.NewServeMux(), log: log, registry: g}
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
			out[c.Name] = err.Error()
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

// ServeListener is Serve on a listener the caller opened (tests use 127.0.0.1:0).
func (s *Server) ServeListener(ctx context.Context, ln net.Listener, grace time.Duration) error {
	srv := &http.Server{Handler: s.Mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.log.Info("http listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
