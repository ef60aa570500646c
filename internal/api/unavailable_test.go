package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/schemas"
)

// TestClickHouseDown: while ClickHouse cannot be reached (the API talks to the shared server through a TCP
// proxy of this test, which is closed), every read endpoint answers 503 with Retry-After, like the ingest
// does while Kafka is down, and answers again once it is back.
func TestClickHouseDown(t *testing.T) {
	_, chcfg := testutil.ClickHouse(t)
	px := newProxy(t, chcfg.Addr[0])
	viaProxy := chcfg
	viaProxy.Addr = []string{px.addr}
	viaProxy.DialTimeout = time.Second
	ctx := context.Background()
	conn, err := clickhouse.Open(ctx, viaProxy)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cfg := &config.Config{ClickHouse: viaProxy, Locations: apiLocations}
	cfg.API = config.API{
		QueryTimeout: 20 * time.Second, ExportTimeout: time.Minute, MaxPoints: 10000, MaxRows: 1 << 40,
		MaxRange: 40 * 24 * time.Hour, MaxLocations: 100, MaxExportRows: 1000, RetryAfter: 7 * time.Second,
		Tokens: []config.APIToken{{Name: "all", Hash: HashToken(tokAll), All: true}},
	}
	mux := http.NewServeMux()
	New(cfg, conn, slog.New(slog.DiscardHandler), nil).Routes(mux)
	paths := []string{
		"/v1/kpis?kpi=nps&from=2026-03-02T00:00:00Z&to=2026-03-04T00:00:00Z",
		"/v1/status",
		"/v1/locations",
		"/v1/events?from=2026-03-02T00:00:00Z&to=2026-03-04T00:00:00Z",
	}
	get := func(path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+tokAll)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		return rec
	}
	for _, p := range paths {
		if rec := get(p); rec.Code != 200 {
			t.Fatalf("%s while up: %d %s", p, rec.Code, rec.Body)
		}
	}
	px.down()
	for _, p := range paths {
		rec := get(p)
		var e apiError
		_ = json.NewDecoder(rec.Body).Decode(&e)
		if rec.Code != 503 || rec.Header().Get("Retry-After") != "7" || e.Reason == "" {
			t.Errorf("%s while down: %d Retry-After %q %+v, want 503 with Retry-After 7", p, rec.Code, rec.Header().Get("Retry-After"), e)
		}
	}
	px.up()
	for _, p := range paths {
		deadline := time.Now().Add(30 * time.Second)
		for rec := get(p); rec.Code != 200; rec = get(p) {
			if time.Now().After(deadline) {
				t.Fatalf("%s after ClickHouse is back: %d %s", p, rec.Code, rec.Body)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}

	// The contract says so too.
	doc, err := openapi3.NewLoader().LoadFromData(schemas.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/v1/kpis", "/v1/status", "/v1/locations", "/v1/events"} {
		if op := doc.Paths.Find(p).Get; op.Responses.Status(503) == nil {
			t.Errorf("openapi.yaml: %s has no 503 response", p)
		}
	}
}

// proxy forwards TCP to a server; down closes the listener and cuts every connection, up listens again
// on the same address.
type proxy struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]bool
}

func newProxy(t *testing.T, target string) *proxy {
	p := &proxy{t: t, target: target, conns: map[net.Conn]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.down)
	return p
}

func (p *proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns[c], p.conns[s] = true, true
			p.mu.Unlock()
			go func() { _, _ = io.Copy(s, c); s.Close() }()
			go func() { _, _ = io.Copy(c, s); c.Close() }()
		}
	}()
}

func (p *proxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

func (p *proxy) up() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.serve(ln)
}
