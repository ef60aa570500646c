package hostile_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cxm-project/cxm/ingest"
	"github.com/cxm-project/cxm/ingest/ingesttest"
	"github.com/cxm-project/cxm/internal/api"
	"github.com/cxm-project/cxm/internal/auth"
	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/httpserver"
	"github.com/cxm-project/cxm/internal/kpi"
	cxmtest "github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/processor"
)

// Tokens of the stack: writers and readers, each for one purpose so one attack's limits do not spill
// into another's.
const (
	writeAll   = "cxm_hostile_write_all_0123456789abcdefghijk"
	writeShop1 = "cxm_hostile_write_shop1_0123456789abcdefgh"
	writeFlood = "cxm_hostile_write_flood_0123456789abcdefgh"
	writeBytes = "cxm_hostile_write_bytes_0123456789abcdefgh"
	readAll    = "cxm_hostile_read_all_0123456789abcdefghijkl"
	readShop1  = "cxm_hostile_read_shop1_0123456789abcdefghij"
	readFlood  = "cxm_hostile_read_flood_0123456789abcdefghij"
)

type stack struct {
	cfg  *config.Config
	conn driver.Conn
	url  string
	host string
}

// startStack runs the ingest, the processor and the read API in this process against kfake and the
// test's own ClickHouse database, on one hardened listener (the production handler chain) with small
// limits so each can be reached cheaply.
func startStack(t *testing.T) *stack {
	t.Helper()
	k := cxmtest.Kafka(t)
	conn, chcfg := cxmtest.ClickHouse(t)
	cfg := ingesttest.Config(t, k)
	cfg.ClickHouse = chcfg
	cfg.HTTP.ReadTimeout = 2 * time.Second
	cfg.HTTP.ReadHeaderTimeout = 2 * time.Second
	cfg.HTTP.MaxHeaderBytes = 8 << 10
	cfg.HTTP.TrustedProxies = []string{"127.0.0.1/32"}
	cfg.Ingest.MaxBodyBytes = 256 << 10
	cfg.Ingest.MaxEvents = 100
	cfg.Ingest.MaxEventBytes = 8 << 10
	cfg.Ingest.RateLimit = config.RateLimit{EventsPerSecond: 20, Burst: 200, BytesPerSecond: 16 << 10, BytesBurst: 512 << 10}
	cfg.Ingest.SurveyGuard = config.SurveyGuard{NonceTTL: time.Hour, Window: time.Hour, PerAddress: 1, PerLocation: 3,
		BurstWindow: 30 * time.Minute, Burst: 2, MaxTracked: 1000} // windows far longer than the test, so it holds on a slow machine
	cfg.Ingest.Tokens = []config.IngestToken{
		{Name: "all", Hash: auth.Hash(writeAll), All: true},
		{Name: "shop1", Hash: auth.Hash(writeShop1), Locations: []string{"shop-1"}},
		{Name: "flood", Hash: auth.Hash(writeFlood), All: true},
		{Name: "bytes", Hash: auth.Hash(writeBytes), All: true},
	}
	cfg.API.Tokens = []config.APIToken{
		{Name: "read-all", Hash: auth.Hash(readAll), All: true},
		{Name: "read-shop1", Hash: auth.Hash(readShop1), Locations: []string{"shop-1"}},
		{Name: "read-flood", Hash: auth.Hash(readFlood), All: true},
	}
	cfg.API.RateLimit = config.APILimits{RequestsPerSecond: 1, Burst: 40, MaxConcurrent: 4}
	cfg.API.MaxRange = 31 * 24 * time.Hour
	cfg.API.MaxXLSXRows = 5
	cfg.API.MaxPoints = 10_000
	cfg.API.MaxExportBytes = 4096
	cfg.Processor.FlushInterval = 100 * time.Millisecond
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	reg := prometheus.NewRegistry()
	ctx, cancel := context.WithCancel(context.Background())
	ing, err := ingest.New(ctx, cfg, log, reg)
	if err != nil {
		t.Fatal(err)
	}
	proc, err := processor.New(cfg, log, reg)
	if err != nil {
		t.Fatal(err)
	}
	procDone := make(chan error, 1)
	go func() { procDone <- proc.Run(ctx) }()
	srv := httpserver.New(log, reg)
	srv.Configure(cfg.HTTP)
	ing.Mount(srv)
	api.New(cfg, conn, log, reg).Mount(srv)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srvDone := make(chan struct{})
	go func() { _ = srv.ServeListener(ctx, ln, 5*time.Second); close(srvDone) }()
	t.Cleanup(func() {
		cancel()
		<-srvDone
		_ = ing.Close()
		if err := <-procDone; err != nil && ctx.Err() == nil {
			t.Errorf("processor: %v", err)
		}
	})
	s := &stack{cfg: cfg, conn: conn, url: "http://" + ln.Addr().String(), host: ln.Addr().String()}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("stack not ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s
}

// do sends one request and returns the status and body (the body cut at 64 KiB).
func (s *stack) do(t *testing.T, c *http.Client, method, path string, body io.Reader, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if strings.EqualFold(header[i], "Host") {
			req.Host = header[i+1]
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if v := resp.Trailer.Get("X-CXM-Export-Error"); v != "" {
		b = append(b, "\ntrailer: "+v...)
	}
	return resp.StatusCode, string(b)
}

// browser is a client with its own cookies, seen by the ingest at addr (through the trusted proxy).
type browser struct {
	c    *http.Client
	addr string
}

func newBrowser(addr string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{c: &http.Client{Jar: jar}, addr: addr}
}

var nonceRE = regexp.MustCompile(`name="nonce" value="([^"]+)"`)

// page loads a survey page and returns its nonce.
func (s *stack) page(t *testing.T, b *browser, loc string) string {
	t.Helper()
	code, body := s.do(t, b.c, "GET", "/s/"+loc+"/default?lang=en", nil, "X-Forwarded-For", b.addr)
	m := nonceRE.FindStringSubmatch(body)
	if code != 200 || m == nil {
		t.Fatalf("survey page %s: %d", loc, code)
	}
	return m[1]
}

// answer loads the page and posts an answer as a browser would.
func (s *stack) answer(t *testing.T, b *browser, loc string, nps int, comment string) (int, string, string) {
	t.Helper()
	n := s.page(t, b, loc)
	code, body := s.postSurvey(t, b, loc, url.Values{"nonce": {n}, "nps": {fmt.Sprint(nps)}, "csat": {"4"}, "ces": {"6"}, "comment": {comment}})
	return code, body, n
}

func (s *stack) postSurvey(t *testing.T, b *browser, loc string, v url.Values, header ...string) (int, string) {
	t.Helper()
	h := append([]string{"Content-Type", "application/x-www-form-urlencoded", "X-Forwarded-For", b.addr}, header...)
	return s.do(t, b.c, "POST", "/s/"+loc+"/default?lang=en", strings.NewReader(v.Encode()), h...)
}

// figures are the sums of every KPI component per location in kpi_minute: what every KPI is made of.
func (s *stack) figures(t *testing.T) map[string][]int64 {
	t.Helper()
	cols := make([]string, len(kpi.Columns))
	for i, c := range kpi.Columns {
		cols[i] = "toInt64(sum(" + clickhouse.Ident(c.Name) + "))"
	}
	rows, err := s.conn.Query(context.Background(), "SELECT location, "+strings.Join(cols, ", ")+" FROM "+
		clickhouse.Ident(s.cfg.ClickHouse.Database)+".kpi_minute GROUP BY location")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]int64{}
	for rows.Next() {
		var loc string
		v := make([]int64, len(cols))
		dest := []any{&loc}
		for i := range v {
			dest = append(dest, &v[i])
		}
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		out[loc] = v
	}
	return out
}

// rawEvents are the raw table's ids with their misuse reason.
func (s *stack) rawEvents(t *testing.T) map[string]string {
	t.Helper()
	rows, err := s.conn.Query(context.Background(), "SELECT id, misuse FROM "+clickhouse.Ident(s.cfg.ClickHouse.Database)+".events")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, m string
		if err := rows.Scan(&id, &m); err != nil {
			t.Fatal(err)
		}
		out[id] = m
	}
	return out
}

// settle waits until the processor is caught up: the raw table holds every message of the events topic
// and kpi_minute's marks reach each partition's last offset (a flush writes raw rows before its deltas).
func (s *stack) settle(t *testing.T) map[string]string {
	t.Helper()
	msgs := ingesttest.ReadAll(t, s.cfg.Kafka, s.cfg.Kafka.Topics.Events)
	last := map[uint16]uint64{}
	for _, m := range msgs {
		last[uint16(m.Partition)] = max(last[uint16(m.Partition)], uint64(m.Offset))
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		got := s.rawEvents(t)
		// The rollups are written by materialized views after kpi_minute's part, so a mark can be visible a
		// moment before the figures the API reads from them.
		if len(got) == len(msgs) && s.marksReach(t, last) && s.rollupsReach(t) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("processor not caught up: %d raw events, %d in Kafka", len(got), len(msgs))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// rollupsReach tells whether every rollup holds the same component sums as kpi_minute.
func (s *stack) rollupsReach(t *testing.T) bool {
	t.Helper()
	const sums = "SELECT sum(promoters), sum(passives), sum(detractors), sum(csat_n), sum(ces_n), sum(smile_n), sum(visitors), sum(receipts) FROM "
	read := func(table string) [8]int64 {
		var v [8]int64
		row := s.conn.QueryRow(context.Background(), sums+clickhouse.Ident(s.cfg.ClickHouse.Database)+"."+table)
		if err := row.Scan(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]); err != nil {
			t.Fatalf("sums of %s: %v", table, err)
		}
		return v
	}
	want := read("kpi_minute")
	for _, table := range []string{"kpi_5m", "kpi_hour", "kpi_day", "kpi_hour_total"} {
		if read(table) != want {
			return false
		}
	}
	return true
}

func (s *stack) marksReach(t *testing.T, last map[uint16]uint64) bool {
	rows, err := s.conn.Query(context.Background(), "SELECT kafka_partition, max(last_offset) FROM "+
		clickhouse.Ident(s.cfg.ClickHouse.Database)+".kpi_minute GROUP BY kafka_partition")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	marks := map[uint16]uint64{}
	for rows.Next() {
		var p uint16
		var o uint64
		if err := rows.Scan(&p, &o); err != nil {
			t.Fatal(err)
		}
		marks[p] = o
	}
	for p, o := range last {
		if m, ok := marks[p]; !ok || m < o {
			return false
		}
	}
	return true
}
