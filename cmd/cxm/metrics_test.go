package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/internal/testutil"
)

// TestMetricsScrape runs `cxm run` as a process (embedded broker, the shared ClickHouse with a database of
// its own, the simulator sending), scrapes its /metrics once the pipeline has moved events, and checks the
// scrape with `promtool check metrics` (Prometheus's own linter of names, units, types and help), that
// cxm_build_info is there, and that the README's "Metrics" table documents every cxm_ family it exports.
func TestMetricsScrape(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole pipeline for up to a few minutes")
	}
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CXM_REQUIRE_SERVICES") == "1" {
			t.Fatal("promtool not installed (make test-deps)")
		}
		t.Skip("promtool not installed (make test-deps)")
	}
	_, ch := testutil.ClickHouse(t)
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "cxm")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	httpAddr, brokerAddr := freePort(t), freePort(t)
	cmd := exec.Command(bin, "run", "--config", filepath.Join(repo, "cxm.yaml"),
		"--http.listen", httpAddr, "--clickhouse.addr", ch.Addr[0], "--clickhouse.database", ch.Database)
	cmd.Env = append(os.Environ(), "CXM_CONFIG=", "CXM_LOG_LEVEL=warn",
		"CXM_BROKER_LISTEN="+brokerAddr, "CXM_BROKER_DATA__DIR="+t.TempDir())
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(time.Minute):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("cxm run log:\n%s", logs.String())
		}
	})

	// Wait until events went all the way through and the evaluator has run once.
	want := []string{"cxm_processor_events_consumed_total", "cxm_ingest_events_total", "cxm_kpi_threshold",
		"cxm_status_evaluations_total", "cxm_kafka_produced_messages_total"}
	var scrape []byte
	deadline := time.Now().Add(3 * time.Minute)
	for {
		scrape = get(t, "http://"+httpAddr+"/metrics")
		if hasAll(scrape, want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 3 minutes /metrics still lacks one of %v", want)
		}
		time.Sleep(2 * time.Second)
	}

	check := exec.Command(promtool, "check", "metrics")
	check.Stdin = bytes.NewReader(scrape)
	out, err := check.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}

	if !regexp.MustCompile(`(?m)^cxm_build_info\{goversion="go[^"]+",revision="[^"]+",version="[^"]+"\} 1$`).Match(scrape) {
		t.Errorf("no cxm_build_info 1 with goversion, revision and version")
	}

	documented := readmeMetrics(t, filepath.Join(repo, "README.md"))
	for _, name := range families(scrape) {
		if strings.HasPrefix(name, "cxm_") && !documented[name] {
			t.Errorf("%s is exported but not in the README's Metrics table", name)
		}
	}
}

// freePort returns a loopback address no one listens on now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func get(t *testing.T, url string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil // not listening yet
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b
}

func hasAll(scrape []byte, names []string) bool {
	have := map[string]bool{}
	for _, n := range families(scrape) {
		have[n] = true
	}
	for _, n := range names {
		if !have[n] {
			return false
		}
	}
	return true
}

// families lists the metric families of a text-format scrape, from its # TYPE lines.
func families(scrape []byte) []string {
	var out []string
	s := bufio.NewScanner(bytes.NewReader(scrape))
	s.Buffer(nil, 1<<20)
	for s.Scan() {
		if f := strings.Fields(s.Text()); len(f) >= 3 && f[0] == "#" && f[1] == "TYPE" {
			out = append(out, f[2])
		}
	}
	return out
}

// readmeMetrics reads the metric names of the README's "Metrics" section: the first column of its table.
func readmeMetrics(t *testing.T, path string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "#") {
			in = strings.TrimSpace(strings.TrimLeft(line, "#")) == "Metrics"
			continue
		}
		if m := regexp.MustCompile("^\\| `(cxm_[a-z0-9_]+)`").FindStringSubmatch(line); in && m != nil {
			names[m[1]] = true
		}
	}
	if len(names) == 0 {
		t.Fatal("README.md has no Metrics section with a table of cxm_ metrics")
	}
	return names
}

// TestOneWayToRegisterMetrics fails on production code that registers metrics any other way than with
// promauto.With on an injected registerer: package-level registration (init, MustRegister on the default
// registry, promauto.New… without With) or a registration error ignored.
func TestOneWayToRegisterMetrics(t *testing.T) {
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	forbidden := regexp.MustCompile(`prometheus\.(MustRegister|Register|DefaultRegisterer|DefaultGatherer)\b|promauto\.New|\breg\.Register\(|AlreadyRegisteredError`)
	err = filepath.WalkDir(repo, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n == "node_modules" || n == ".git" || n == "dist" || n == "run" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if forbidden.MatchString(line) && !strings.HasPrefix(strings.TrimSpace(line), "//") {
				rel, _ := filepath.Rel(repo, path)
				t.Errorf("%s:%d registers metrics another way: %s", rel, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestREADMEKPIUnits: the README's Metrics section gives the unit of every registered KPI, as the values
// of cxm_kpi_value and cxm_kpi_threshold are in it.
func TestREADMEKPIUnits(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "### Metrics\n")
	if i < 0 {
		t.Fatal("README.md has no Metrics section")
	}
	section := s[i:]
	if j := strings.Index(section[1:], "\n## "); j >= 0 {
		section = section[:j+1]
	}
	for _, name := range kpi.Builtin.Names() {
		// KPIs the configuration adds are named by the configuration: the README gives their family's unit.
		want := "`" + name + "`"
		if d, ok := kpi.Builtin.Lookup(name); ok && len(d.Audits) > 0 {
			want = "`ivs:<template>`"
		} else if ok && d.Configured {
			want = "`<index>` of `indices:`"
		}
		if !strings.Contains(section, want) {
			t.Errorf("the README's Metrics section gives no unit for the KPI %s (%s)", name, want)
		}
	}
}
