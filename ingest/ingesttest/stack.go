package ingesttest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cxm-project/cxm/ingest"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/httpserver"
)

// Stack is an ingest Service served by the shared HTTP server (so /readyz and /metrics are the real ones)
// on a loopback port.
type Stack struct {
	URL      string
	Config   *config.Config
	Service  *ingest.Service
	Registry *prometheus.Registry // the service's metrics, served at /metrics
	// Stop shuts the server down and closes the service; also run when the test ends (once).
	Stop func()
}

// Start validates cfg, starts the stack and waits until /readyz (which pings Kafka) says ready.
func Start(t testing.TB, cfg *config.Config) *Stack {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	reg := prometheus.NewRegistry()
	svc, err := ingest.New(context.Background(), cfg, log, reg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httpserver.New(log, reg)
	svc.Mount(srv)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = srv.ServeListener(ctx, ln, 5*time.Second); close(done) }()
	s := &Stack{URL: "http://" + ln.Addr().String(), Config: cfg, Service: svc, Registry: reg}
	var once atomic.Bool
	s.Stop = func() {
		if once.Swap(true) {
			return
		}
		cancel()
		<-done
		if err := svc.Close(); err != nil {
			t.Errorf("close ingest: %v", err)
		}
	}
	t.Cleanup(s.Stop)
	WaitReady(t, s.URL)
	return s
}

// WaitReady polls url's /readyz until it answers 200, for up to 30 s.
func WaitReady(t testing.TB, url string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url + "/readyz")
		var body []byte
		if err == nil {
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("ingest at %s not ready after 30s: %s (err %v)", url, body, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
