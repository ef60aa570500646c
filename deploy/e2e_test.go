package deploy

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/httpserver"
	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/processor/status"
)

// TestAlertingEndToEnd runs the alerting path with the real programs: a CXM /metrics endpoint, Debian's
// Prometheus with a copy of deploy/prometheus/rules/cxm.rules.yml (only `for` and keep_firing_for
// shortened), Debian's Alertmanager with a copy of deploy/alertmanager/alertmanager.yml (only timings and
// the webhook URL changed), and a webhook receiver here. One location turns red: the firing notification
// must arrive with its labels and the annotations Prometheus joined from the value and sample-size series;
// the location recovers: the resolved notification must arrive. Everything listens on 127.0.0.1.
//
// The metrics come from the real status evaluator (processor/status) judging kpi_minute rows in a fresh
// ClickHouse database (internal/testutil), served from its registry by CXM's own HTTP server
// (internal/httpserver, the /metrics handler every cxm service uses).
func TestAlertingEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Prometheus and Alertmanager")
	}
	promBin := tool(t, "prometheus", "prometheus")
	amBin := tool(t, "prometheus-alertmanager", "prometheus-alertmanager", "alertmanager")
	dir := t.TempDir()

	ind := newIndicators(t)
	metricsAddr := serveMetrics(t, ind.registry)

	hook := newWebhook(t)

	amPort := freePort(t)
	amConfig := filepath.Join(dir, "alertmanager.yml")
	writeYAML(t, amConfig, testAlertmanagerConfig(t, hook.url))
	startProcess(t, dir, "alertmanager", amBin,
		"--config.file="+amConfig,
		"--storage.path="+filepath.Join(dir, "am-data"),
		"--web.listen-address="+amPort,
		// An empty address disables the gossip cluster, which would otherwise bind 0.0.0.0:9094.
		"--cluster.listen-address=",
	)
	waitReady(t, "http://"+amPort+"/-/ready")

	rules := filepath.Join(dir, "cxm.rules.yml")
	writeYAML(t, rules, testRules(t))
	promPort := freePort(t)
	promConfig := filepath.Join(dir, "prometheus.yml")
	writeYAML(t, promConfig, map[string]any{
		"global": map[string]any{
			"scrape_interval":     "1s",
			"evaluation_interval": "1s",
			"external_labels":     map[string]string{"grafana_url": "http://grafana.test"},
		},
		"rule_files": []string{rules},
		"alerting": map[string]any{"alertmanagers": []any{
			map[string]any{"static_configs": []any{map[string]any{"targets": []string{amPort}}}},
		}},
		"scrape_configs": []any{map[string]any{
			"job_name":       "cxm",
			"static_configs": []any{map[string]any{"targets": []string{metricsAddr}}},
		}},
	})
	run(t, dir, tool(t, "prometheus", "promtool"), "check", "config", promConfig)
	startProcess(t, dir, "prometheus", promBin,
		"--config.file="+promConfig,
		"--storage.tsdb.path="+filepath.Join(dir, "prom-data"),
		"--web.listen-address="+promPort,
		// Alerts are re-sent every minute by default; the resolved one is sent at once either way, but a
		// lost first send should not cost the test a minute.
		"--rules.alert.resend-delay=1s",
	)
	waitReady(t, "http://"+promPort+"/-/ready")

	// store-001's NPS is red, store-002's is green: exactly one alert, for store-001. Survey answers ten
	// minutes ago, inside the one-hour status window: store-001 6 promoters, 14 passives, 20 detractors
	// (NPS (6-20)/40 = -35, n 40, below red 0); store-002 36, 9, 5 (NPS 62, n 50, above yellow 30).
	start := time.Now().UTC().Truncate(time.Minute)
	ind.insert(t, start.Add(-10*time.Minute), "store-001", 6, 14, 20)
	ind.insert(t, start.Add(-10*time.Minute), "store-002", 36, 9, 5)
	ind.run(t)

	firing := hook.wait(t, 90*time.Second, "firing notification for store-001", func(a alert) bool {
		return a.Status == "firing" && a.Labels["alertname"] == "CXMIndicatorRed"
	})
	for k, want := range map[string]string{"location": "store-001", "kpi": "nps", "severity": "critical", "component": "kpi"} {
		if got := firing.Labels[k]; got != want {
			t.Errorf("firing alert label %s = %q, want %q (labels %v)", k, got, want, firing.Labels)
		}
	}
	// The annotations prove the join of value, sample size and threshold on location and kpi ran in
	// Prometheus, on the evaluator's own series.
	for k, want := range map[string]string{
		"value":       "-35 (1h)",
		"sample_size": "n=40 (1h)",
		"threshold":   "red 0, yellow 30",
		"dashboard":   "http://grafana.test/d/cxm-location?var-location=store-001",
	} {
		if got := firing.Annotations[k]; got != want {
			t.Errorf("firing alert annotation %s = %q, want %q", k, got, want)
		}
	}

	// The location recovers: 60 more promoters make (66-20)/100 = 46, green.
	ind.insert(t, start.Add(-5*time.Minute), "store-001", 60, 0, 0)
	hook.wait(t, 90*time.Second, "resolved notification for store-001", func(a alert) bool {
		return a.Status == "resolved" && a.Labels["alertname"] == "CXMIndicatorRed" && a.Labels["location"] == "store-001"
	})

	for _, n := range hook.all() {
		for _, a := range n.Alerts {
			if a.Labels["location"] == "store-002" {
				t.Errorf("store-002 is green but was notified: %v", a.Labels)
			}
		}
		// Grouped by location: one notification never mixes stores.
		if n.GroupLabels["location"] != "" && n.GroupLabels["location"] != "store-001" {
			t.Errorf("unexpected group %v", n.GroupLabels)
		}
	}
}

// indicators is the status evaluator over a fresh ClickHouse database with the registry it exports to:
// one status window of 1h (the annotations then name one window) and the default NPS thresholds (yellow 30,
// red 0, min_n 30).
type indicators struct {
	registry *prometheus.Registry
	conn     driver.Conn
	cfg      *config.Config
	ev       *status.Evaluator
}

func newIndicators(t *testing.T) *indicators {
	t.Helper()
	conn, chcfg := testutil.ClickHouse(t)
	cfg, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ClickHouse = chcfg
	cfg.Locations = []config.Location{
		{ID: "store-001", Name: "Store 1", Region: "north", TimeZone: "Europe/Moscow"},
		{ID: "store-002", Name: "Store 2", Region: "north", TimeZone: "Europe/Moscow"},
	}
	cfg.KPI.Windows, cfg.KPI.StatusWindow = []string{"1h"}, "1h"
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	return &indicators{registry: reg, conn: conn, cfg: cfg, ev: status.New(cfg, conn, slog.New(slog.DiscardHandler), reg)}
}

// insert adds one kpi_minute row of NPS answers.
func (i *indicators) insert(t *testing.T, minute time.Time, location string, promoters, passives, detractors int64) {
	t.Helper()
	testutil.InsertMinutes(t, i.conn, i.cfg.ClickHouse.Database, testutil.MinuteRow{Location: location, Minute: minute, C: kpi.Components{
		Promoters: promoters, Passives: passives, Detractors: detractors, Surveys: promoters + passives + detractors}})
}

// run evaluates every second until the test ends, as Run does every kpi.evaluate_interval in production:
// cxm_status_evaluations_total must keep rising, or CXMStatusEvaluationStalled fires and Alertmanager
// inhibits the KPI alerts (as it should when the evaluator is stuck).
func (i *indicators) run(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	if err := i.ev.EvaluateAt(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if err := i.ev.EvaluateAt(ctx, time.Now()); err != nil && ctx.Err() == nil {
					t.Errorf("evaluate: %v", err)
				}
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
}

// serveMetrics serves g at /metrics with CXM's HTTP server on a free loopback port until the test ends.
func serveMetrics(t *testing.T, g prometheus.Gatherer) string {
	t.Helper()
	srv := httpserver.New(slog.New(slog.DiscardHandler), g)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv.Mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })
	return ln.Addr().String()
}

// testRules is the real rule file with every `for` and keep_firing_for shortened to seconds, so the test
// exercises the real expressions, labels and annotation templates in a bounded time.
func testRules(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	readYAML(t, "prometheus/rules/cxm.rules.yml", &doc)
	found := false
	for _, g := range doc["groups"].([]any) {
		for _, r := range g.(map[string]any)["rules"].([]any) {
			rule := r.(map[string]any)
			if _, ok := rule["for"]; ok {
				// Still above one evaluation, so the pending state is passed through as in production.
				rule["for"] = "3s"
			}
			if _, ok := rule["keep_firing_for"]; ok {
				rule["keep_firing_for"] = "1s"
			}
			if rule["alert"] == "CXMIndicatorRed" {
				found = true
			}
		}
	}
	if !found {
		t.Fatal("rules have no CXMIndicatorRed")
	}
	return doc
}

// testAlertmanagerConfig is the real Alertmanager configuration with second-scale grouping timings and
// every webhook pointed at the test's receiver: routes, grouping and inhibition stay as shipped.
func testAlertmanagerConfig(t *testing.T, hookURL string) map[string]any {
	t.Helper()
	var doc map[string]any
	readYAML(t, "alertmanager/alertmanager.yml", &doc)
	var fix func(route map[string]any)
	fix = func(route map[string]any) {
		route["group_wait"], route["group_interval"] = "1s", "1s"
		if sub, ok := route["routes"].([]any); ok {
			for _, r := range sub {
				fix(r.(map[string]any))
			}
		}
	}
	fix(doc["route"].(map[string]any))
	hooks := 0
	for _, r := range doc["receivers"].([]any) {
		if wc, ok := r.(map[string]any)["webhook_configs"].([]any); ok {
			for _, w := range wc {
				w.(map[string]any)["url"] = hookURL
				hooks++
			}
		}
	}
	if hooks == 0 {
		t.Fatal("alertmanager.yml has no webhook receiver to point at the test")
	}
	return doc
}

// alert and notification are the parts of Alertmanager's webhook payload (version 4) the test reads.
type alert struct {
	Status      string            `json:"status"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
}

type notification struct {
	Version     string            `json:"version"`
	Status      string            `json:"status"`
	GroupLabels map[string]string `json:"groupLabels"`
	Alerts      []alert           `json:"alerts"`
}

type webhook struct {
	url    string
	mu     sync.Mutex
	got    []notification
	notify chan struct{}
}

func newWebhook(t *testing.T) *webhook {
	t.Helper()
	w := &webhook{notify: make(chan struct{}, 1)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var n notification
		if err := json.Unmarshal(body, &n); err != nil {
			t.Errorf("webhook: undecodable notification %q: %v", body, err)
			return
		}
		w.mu.Lock()
		w.got = append(w.got, n)
		w.mu.Unlock()
		select {
		case w.notify <- struct{}{}:
		default:
		}
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	w.url = "http://" + ln.Addr().String() + "/alerts"
	return w
}

func (w *webhook) all() []notification {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]notification(nil), w.got...)
}

// wait returns the first alert of any notification received so far or until timeout that matches.
func (w *webhook) wait(t *testing.T, timeout time.Duration, what string, match func(alert) bool) alert {
	t.Helper()
	deadline := time.After(timeout)
	for {
		for _, n := range w.all() {
			for _, a := range n.Alerts {
				if match(a) {
					return a
				}
			}
		}
		select {
		case <-w.notify:
		case <-deadline:
			t.Fatalf("no %s within %s; notifications received: %+v", what, timeout, w.all())
		}
	}
}

// freePort returns a loopback address nobody listens on right now. The programs bind it themselves
// moments later; a collision in between fails the start, loudly.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// startProcess starts a program with its output in dir/name.log (shown when the test fails) and stops it
// at cleanup: SIGTERM, then SIGKILL after 10 s.
func startProcess(t *testing.T, dir, name, bin string, args ...string) {
	t.Helper()
	logPath := filepath.Join(dir, name+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		_ = logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("%s log:\n%s", name, tail(string(b), 60))
		}
	})
}

func tail(s string, lines int) string {
	l := strings.Split(s, "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}

// waitReady polls a /-/ready endpoint for up to a minute (the machine may be busy).
func waitReady(t *testing.T, url string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s not ready within a minute: %v", url, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func writeYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
