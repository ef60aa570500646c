package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/internal/testutil"
)

// metricName is a CXM metric name as rules, dashboards and docs write it. Other cxm_ words (database and
// file names) have none of these component prefixes.
var metricName = regexp.MustCompile(`\bcxm_(?:processor|ingest|kafka|status|api|kpi|indicator|query|http|broker|evaluator)_[a-z0-9_]*[a-z0-9]`)

// referencedMetrics are the metric names used in the alert rules, the dashboards and the documentation,
// each with the files that use it.
func referencedMetrics(t *testing.T, root string) map[string][]string {
	t.Helper()
	var files []string
	for _, pat := range []string{"deploy/prometheus/rules/*.yml", "dashboards/*.json", "*.md", "*/*.md", "*/*/*.md", "*/*/*/*.md", "cxm.yaml", "deploy/helm/cxm/values.yaml", "deploy/helm/cxm/templates/*.txt"} {
		m, err := filepath.Glob(filepath.Join(root, pat))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	out := map[string][]string{}
	for _, f := range files {
		// A changelog names metrics that no longer exist on purpose (the renames an upgrade must follow).
		if strings.Contains(f, "node_modules") || filepath.Base(f) == "CHANGELOG.md" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, f)
		for _, n := range metricName.FindAllString(string(b), -1) {
			if !slices.Contains(out[n], rel) {
				out[n] = append(out[n], rel)
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no metric names found: the patterns no longer match the repository")
	}
	return out
}

// TestHelperCXM is the cxm binary run as a child process by TestMetricNamesExist.
func TestHelperCXM(t *testing.T) {
	if os.Getenv("CXM_TEST_HELPER_ARGS") == "" {
		t.Skip("helper process for TestMetricNamesExist")
	}
	os.Exit(Main(strings.Split(os.Getenv("CXM_TEST_HELPER_ARGS"), " "), os.Stdout, os.Stderr))
}

// TestMetricNamesExist runs `cxm run` (the whole pipeline: embedded broker, ingest, processor, status
// evaluator, API, simulator) as a process, gives it traffic — the simulator's, a refused request and a
// message that is not an event — and requires every metric name that the alert rules, the dashboards and
// the documentation use to be among the names its /metrics exports. A rule on a name no process exports
// never fires, and its promtool test passes all the same.
func TestMetricNamesExist(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole pipeline")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	want := referencedMetrics(t, root)
	_, ch := testutil.ClickHouse(t)
	httpAddr, brokerAddr := testutil.FreeAddr(t), testutil.FreeAddr(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperCXM$")
	cmd.Env = append(os.Environ(),
		"CXM_TEST_HELPER_ARGS=run --http.listen "+httpAddr+" --clickhouse.database "+ch.Database+" --clickhouse.addr "+ch.Addr[0],
		"CXM_CONFIG="+filepath.Join(root, "cxm.yaml"), "CXM_BROKER_LISTEN="+brokerAddr, "CXM_LOG_LEVEL=warn", "CXM_SIMULATE_SPEED=600")
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	cmd.Dir = t.TempDir()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	base := "http://" + httpAddr
	refused, garbage, read := false, false, false
	missing := []string{"(no /metrics scraped)"}
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		time.Sleep(time.Second)
		if !refused { // a refused request: cxm_ingest_refused_requests_total{reason="unauthorized"}
			if r, err := http.Post(base+"/v1/events", "application/json", strings.NewReader(`{}`)); err == nil {
				r.Body.Close()
				refused = true
			}
		}
		if !read { // a read: cxm_api_requests_total, cxm_api_request_duration_seconds
			req, _ := http.NewRequest(http.MethodGet, base+"/v1/locations", nil)
			req.Header.Set("Authorization", "Bearer cxm-dev-token")
			if r, err := http.DefaultClient.Do(req); err == nil {
				r.Body.Close()
				read = true
			}
		}
		if !garbage { // not an event: the processor dead-letters it (cxm_processor_deadlettered_events_total)
			w := &kafkago.Writer{Addr: kafkago.TCP(brokerAddr), Topic: "cxm.events", AllowAutoTopicCreation: false}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			garbage = w.WriteMessages(ctx, kafkago.Message{Key: []byte("x"), Value: []byte("not json")}) == nil
			cancel()
			w.Close()
		}
		got, err := exported(base + "/metrics")
		if err != nil {
			missing = []string{"(no /metrics scraped: " + err.Error() + ")"}
			continue
		}
		missing = missing[:0]
		for n := range want {
			if !got[n] {
				missing = append(missing, n)
			}
		}
		if len(missing) == 0 {
			t.Logf("%d metric names used in rules, dashboards and docs, all exported", len(want))
			return
		}
	}
	slices.Sort(missing)
	if len(missing) == 1 && want[missing[0]] == nil {
		t.Fatal(missing[0])
	}
	for _, n := range missing {
		t.Errorf("%s is used in %s but the running process does not export it", n, strings.Join(want[n], ", "))
	}
}

// exported are the metric names a /metrics endpoint serves, histogram and summary series under their
// family name and their _bucket/_sum/_count names.
func exported(url string) (map[string]bool, error) {
	r, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer r.Body.Close()
	out := map[string]bool{}
	sc := bufio.NewScanner(r.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if f, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, typ, _ := strings.Cut(f, " ")
			out[name] = true
			if typ == "histogram" || typ == "summary" {
				out[name+"_sum"], out[name+"_count"] = true, true
				if typ == "histogram" {
					out[name+"_bucket"] = true
				}
			}
		}
	}
	return out, sc.Err()
}
