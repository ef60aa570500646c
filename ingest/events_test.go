package ingest_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/cxm-project/cxm/ingest"
	"github.com/cxm-project/cxm/ingest/dedupe"
	"github.com/cxm-project/cxm/ingest/ingesttest"
	"github.com/cxm-project/cxm/ingest/metrics"
	"github.com/cxm-project/cxm/internal/auth"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kafka"
	cxmtest "github.com/cxm-project/cxm/internal/testutil"
)

// Tokens of the tests: one for every location, one for shop-1 only.
const (
	tokenAll   = "cxm_test_all_0123456789abcdefghijklmnopqrstuv"
	tokenShop1 = "cxm_test_shop1_0123456789abcdefghijklmnopqrst"
)

type env struct {
	reg  *prometheus.Registry // the service's metrics, served at /metrics
	cfg  *config.Config
	svc  *ingest.Service
	url  string
	stop func()
}

// start runs a Service with the tests' tokens (see ingesttest.Start).
func start(t testing.TB, k config.Kafka, mutate func(*config.Config)) *env {
	t.Helper()
	cfg := ingesttest.Config(t, k)
	cfg.Ingest.Tokens = []config.IngestToken{
		{Name: "all", Hash: auth.Hash(tokenAll), All: true},
		{Name: "shop1", Hash: auth.Hash(tokenShop1), Locations: []string{"shop-1"}},
	}
	if mutate != nil {
		mutate(cfg)
	}
	s := ingesttest.Start(t, cfg)
	return &env{reg: s.Registry, cfg: cfg, svc: s.Service, url: s.URL, stop: s.Stop}
}

type answer struct {
	Accepted   int `json:"accepted"`
	Duplicates int `json:"duplicates"`
	Rejected   int `json:"rejected"`
	Results    []struct {
		Index  int                `json:"index"`
		ID     string             `json:"id"`
		Status string             `json:"status"`
		Errors []event.FieldError `json:"errors"`
	} `json:"results"`
	Error string `json:"error"`
}

type post struct {
	token, contentType, encoding string
	body                         []byte
}

// ownKafka is an in-process kfake cluster of the test's own, for fault injection (ControlKey) or stopping
// it: the default config's topics with partitions partitions each, and the client config pointing at it.
// It is closed at cleanup (closing it again earlier is fine).
func ownKafka(t *testing.T, partitions int32) (config.Kafka, *kfake.Cluster) {
	t.Helper()
	cfg, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	k := cfg.Kafka
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, k.Topics.Events, k.Topics.DeadLetter))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	k.Brokers = cluster.ListenAddrs()
	return k, cluster
}

func (e *env) do(t *testing.T, p post) (int, http.Header, answer) {
	t.Helper()
	req, _ := http.NewRequest("POST", e.url+"/v1/events", bytes.NewReader(p.body))
	if p.token != "" {
		req.Header.Set("Authorization", "Bearer "+p.token)
	}
	if p.contentType != "" {
		req.Header.Set("Content-Type", p.contentType)
	}
	if p.encoding != "" {
		req.Header.Set("Content-Encoding", p.encoding)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a answer
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatalf("answer %d is not JSON: %s", resp.StatusCode, raw)
	}
	return resp.StatusCode, resp.Header, a
}

func smiley(id, loc string, at time.Time) string {
	return fmt.Sprintf(`{"id":%q,"type":"button","location":%q,"device":"s1","time":%q,"kind":"smiley","value":4,"scale":5}`,
		id, loc, at.Format(time.RFC3339))
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Bytes()
}

// idCounts counts the ids in the events topic.
func idCounts(t *testing.T, k config.Kafka) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, m := range ingesttest.ReadAll(t, k, k.Topics.Events) {
		e, err := event.Decode(m.Value)
		if err != nil {
			t.Fatalf("events topic holds an invalid event: %v: %s", err, m.Value)
		}
		if string(m.Key) != e.Location {
			t.Errorf("message key %q, want the location %q", m.Key, e.Location)
		}
		out[e.ID]++
	}
	return out
}

func TestEventsOutcomes(t *testing.T) {
	k := cxmtest.Kafka(t)
	e := start(t, k, func(c *config.Config) { c.Ingest.MaxEventBytes = 512 })
	now := time.Now()
	big := `{"id":"big","type":"survey","location":"shop-1","time":"` + now.Format(time.RFC3339) + `","survey":"s","answers":{"comment":"` + strings.Repeat("x", 600) + `"}}`

	type want struct {
		status string
		field  string // of the first error, for rejected
		reason string // substring of that error's reason
	}
	tests := []struct {
		name  string
		token string
		body  []string
		ct    string
		want  []want
	}{
		{"one object", tokenAll, []string{smiley("o-1", "shop-1", now)}, "application/json", []want{{status: "accepted"}}},
		{"array with every outcome", tokenShop1, []string{
			smiley("a-1", "shop-1", now),
			smiley("a-1", "shop-1", now), // again in the same request
			smiley("o-1", "shop-1", now), // accepted by the previous request
			`{"id":"a-2","type":"button","location":"shop-1","time":"` + now.Format(time.RFC3339) + `","kind":"smiley","value":9,"scale":5}`,
			smiley("a-3", "nowhere", now),
			smiley("a-4", "shop-1", now.Add(time.Hour)),
			smiley("a-5", "shop-1", now.Add(-8*24*time.Hour)),
			smiley("a-6", "shop-2", now), // the token may not write shop-2
			big,
			`"a-7"`, // JSON, but not an object
			smiley("a-8", "shop-1", now.Add(-6*24*time.Hour)),
		}, "", []want{
			{status: "accepted"},
			{status: "duplicate"},
			{status: "duplicate"},
			{"rejected", "value", "between 1 and the scale"},
			{"rejected", "location", "unknown location"},
			{"rejected", "time", "in the future"},
			{"rejected", "time", "in the past"},
			{"rejected", "location", `may not write location "shop-2"`},
			{"rejected", "", "ingest.max_event_bytes"},
			{"rejected", "", ""},
			{status: "accepted"},
		}},
		{"ndjson", tokenAll, []string{smiley("n-1", "shop-2", now), "", smiley("n-2", "clinic-1", now)}, "application/x-ndjson",
			[]want{{status: "accepted"}, {status: "accepted"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body []byte
			switch {
			case tt.ct == "application/x-ndjson":
				body = []byte(strings.Join(tt.body, "\n") + "\n")
			case len(tt.body) == 1:
				body = []byte(tt.body[0])
			default:
				body = []byte("[" + strings.Join(tt.body, ",\n") + "]")
			}
			code, _, a := e.do(t, post{token: tt.token, contentType: tt.ct, body: body})
			if code != 200 {
				t.Fatalf("status %d: %+v", code, a)
			}
			if len(a.Results) != len(tt.want) {
				t.Fatalf("%d results, want %d: %+v", len(a.Results), len(tt.want), a)
			}
			var acc, dup, rej int
			for i, w := range tt.want {
				r := a.Results[i]
				if r.Index != i || r.Status != w.status {
					t.Errorf("result %d: %+v, want %s", i, r, w.status)
					continue
				}
				switch w.status {
				case "accepted":
					acc++
				case "duplicate":
					dup++
				case "rejected":
					rej++
					if len(r.Errors) == 0 || r.Errors[0].Field != w.field || !strings.Contains(r.Errors[0].Reason, w.reason) {
						t.Errorf("result %d errors %+v, want field %q reason ~%q", i, r.Errors, w.field, w.reason)
					}
				}
			}
			if a.Accepted != acc || a.Duplicates != dup || a.Rejected != rej {
				t.Errorf("counts %d/%d/%d, want %d/%d/%d", a.Accepted, a.Duplicates, a.Rejected, acc, dup, rej)
			}
		})
	}

	// Kafka holds each accepted event once, and the rejected ones are dead letters with their reason.
	ids := idCounts(t, k)
	for _, id := range []string{"o-1", "a-1", "a-8", "n-1", "n-2"} {
		if ids[id] != 1 {
			t.Errorf("id %s is %d times in the events topic, want once", id, ids[id])
		}
	}
	if len(ids) != 5 {
		t.Errorf("events topic has %d ids, want 5: %v", len(ids), ids)
	}
	dead := ingesttest.ReadAll(t, k, k.Topics.DeadLetter)
	if len(dead) != 7 {
		t.Fatalf("%d dead letters, want 7", len(dead))
	}
	reasons := map[string]string{}
	for _, m := range dead {
		f, _ := kafka.Header(m, kafka.HeaderField)
		reason, _ := kafka.Header(m, kafka.HeaderReason)
		src, _ := kafka.Header(m, kafka.HeaderSource)
		if src != kafka.SourceIngest {
			t.Errorf("dead letter source %q", src)
		}
		reasons[f+"|"+reason] = string(m.Value)
	}
	if v, ok := reasons["value|value: must be between 1 and the scale (5)"]; !ok || !strings.Contains(v, `"a-2"`) {
		t.Errorf("no dead letter for a-2 with its reason: %v", reasons)
	}
}

func TestEventsGzipAndLimits(t *testing.T) {
	k := cxmtest.Kafka(t)
	e := start(t, k, func(c *config.Config) {
		c.Ingest.MaxBodyBytes = 4096
		c.Ingest.MaxEvents = 3
	})
	now := time.Now()
	three := []byte(smiley("g-1", "shop-1", now) + "\n" + smiley("g-2", "shop-1", now) + "\n" + smiley("g-3", "shop-1", now))
	four := append(append([]byte{}, three...), "\n"+smiley("g-4", "shop-1", now)...)
	tests := []struct {
		name   string
		p      post
		code   int
		reason string
	}{
		{"gzip ndjson", post{tokenAll, "application/x-ndjson", "gzip", gz(three)}, 200, ""},
		{"too many events", post{tokenAll, "application/x-ndjson", "", four}, 413, "ingest.max_events (3)"},
		{"body too large", post{tokenAll, "application/json", "", bytes.Repeat([]byte(" "), 5000)}, 413, "ingest.max_body_bytes (4096 bytes)"},
		{"too large after gunzip", post{tokenAll, "application/json", "gzip", gz(bytes.Repeat([]byte(" "), 100000))}, 413, "after gunzip"},
		{"broken gzip", post{tokenAll, "application/json", "gzip", []byte("nope")}, 400, "gzip"},
		{"unknown encoding", post{tokenAll, "application/json", "br", three}, 415, "Content-Encoding"},
		{"empty", post{tokenAll, "application/json", "", []byte("  ")}, 400, "no events"},
		{"unclosed array", post{tokenAll, "application/json", "", []byte(`[` + smiley("g-5", "shop-1", now))}, 400, "not closed"},
		{"no token", post{"", "application/json", "", three}, 401, "Authorization"},
		{"wrong token", post{"cxm_wrong", "application/json", "", three}, 401, "unknown"},
		{"all foreign", post{tokenShop1, "application/json", "", []byte(`[` + smiley("f-1", "shop-2", now) + `,` + smiley("f-2", "clinic-1", now) + `]`)}, 403, `"clinic-1", "shop-2"`},
		{"dev token off", post{auth.DevToken, "application/json", "", three}, 401, "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, a := e.do(t, tt.p)
			if code != tt.code || !strings.Contains(a.Error, tt.reason) {
				t.Errorf("got %d %q, want %d ~%q", code, a.Error, tt.code, tt.reason)
			}
		})
	}
	ids := idCounts(t, k)
	if len(ids) != 3 || ids["g-1"] != 1 || ids["g-3"] != 1 {
		t.Errorf("events topic: %v, want g-1..g-3 once", ids)
	}
}

func TestDevToken(t *testing.T) {
	k := cxmtest.Kafka(t)
	e := start(t, k, func(c *config.Config) { c.Ingest.DevToken = true })
	code, _, a := e.do(t, post{token: auth.DevToken, body: []byte(smiley("d-1", "clinic-1", time.Now()))})
	if code != 200 || a.Accepted != 1 {
		t.Fatalf("dev token: %d %+v", code, a)
	}
	cfg := ingesttest.Config(t, k)
	cfg.Ingest.DevToken = true
	cfg.HTTP.Listen = "0.0.0.0:8080"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "ingest.dev_token") {
		t.Errorf("dev token on a public listener: %v", err)
	}
}

func TestRateLimit(t *testing.T) {
	k := cxmtest.Kafka(t)
	e := start(t, k, func(c *config.Config) {
		c.Ingest.RateLimit = config.RateLimit{EventsPerSecond: 1, Burst: 2, BytesPerSecond: 1 << 20, BytesBurst: c.Ingest.MaxBodyBytes}
		c.Ingest.Tokens[0].EventsPerSecond = 1000 // the "all" token has its own, larger bucket
	})
	now := time.Now()
	two := []byte("[" + smiley("r-1", "shop-1", now) + "," + smiley("r-2", "shop-1", now) + "]")
	if code, _, a := e.do(t, post{token: tokenShop1, body: two}); code != 200 {
		t.Fatalf("first: %d %+v", code, a)
	}
	code, h, a := e.do(t, post{token: tokenShop1, body: []byte(smiley("r-3", "shop-1", now))})
	if code != 429 || h.Get("Retry-After") != "1" || !strings.Contains(a.Error, "rate limit") {
		t.Fatalf("over the limit: %d Retry-After=%q %+v", code, h.Get("Retry-After"), a)
	}
	if code, _, _ := e.do(t, post{token: tokenAll, body: []byte(smiley("r-4", "shop-1", now))}); code != 200 {
		t.Errorf("another token is limited too: %d", code)
	}
	if ids := idCounts(t, k); ids["r-3"] != 0 || ids["r-1"] != 1 {
		t.Errorf("events topic: %v", ids)
	}
}

// TestDuplicateAcrossRestart: a second instance started later learns the ids from the events topic.
func TestDuplicateAcrossRestart(t *testing.T) {
	k := cxmtest.Kafka(t)
	first := start(t, k, nil)
	now := time.Now()
	if code, _, a := first.do(t, post{token: tokenAll, body: []byte(smiley("x-1", "shop-1", now))}); code != 200 || a.Accepted != 1 {
		t.Fatalf("%d %+v", code, a)
	}
	first.stop()
	second := start(t, k, nil) // waits for /readyz, which includes the dedupe catch-up
	body := []byte("[" + smiley("x-1", "shop-1", now) + "," + smiley("x-2", "shop-1", now) + "]")
	code, _, a := second.do(t, post{token: tokenAll, body: body})
	if code != 200 || a.Duplicates != 1 || a.Accepted != 1 || a.Results[0].Status != "duplicate" {
		t.Fatalf("%d %+v", code, a)
	}
	if ids := idCounts(t, k); ids["x-1"] != 1 || ids["x-2"] != 1 {
		t.Errorf("events topic: %v", ids)
	}
}

// TestKafkaDownAndBack fails every produce request on the broker, then lets them through: the first
// attempt gets 503 with Retry-After, the retry of the very same request is accepted, and Kafka holds every
// event exactly once.
func TestKafkaDownAndBack(t *testing.T) {
	k, cluster := ownKafka(t, 3)
	k.Producer.MaxAttempts = 2
	var down atomic.Bool
	cluster.ControlKey(kmsg.Produce.Int16(), func(kmsg.Request) (kmsg.Response, error, bool) {
		cluster.KeepControl()
		if down.Load() {
			return nil, fmt.Errorf("broker down"), true // closes the connection, like a broker going away
		}
		return nil, nil, false
	})
	e := start(t, k, func(c *config.Config) { c.Ingest.RetryAfter = 7 * time.Second })
	now := time.Now()
	var lines []string
	for i := range 50 {
		lines = append(lines, smiley(fmt.Sprintf("k-%02d", i), []string{"shop-1", "shop-2", "clinic-1"}[i%3], now))
	}
	body := []byte(strings.Join(lines, "\n"))
	failedBefore := e.metric(t, "cxm_ingest_kafka_errors_total", "topic", "events")

	down.Store(true)
	code, h, a := e.do(t, post{token: tokenAll, contentType: "application/x-ndjson", body: body})
	if code != 503 || h.Get("Retry-After") != "7" || !strings.Contains(a.Error, "retry") {
		t.Fatalf("while down: %d Retry-After=%q %+v", code, h.Get("Retry-After"), a)
	}
	if got := e.metric(t, "cxm_ingest_kafka_errors_total", "topic", "events") - failedBefore; got != 1 {
		t.Errorf("cxm_ingest_kafka_errors_total grew by %v, want 1", got)
	}

	down.Store(false)
	code, _, a = e.do(t, post{token: tokenAll, contentType: "application/x-ndjson", body: body})
	if code != 200 || a.Accepted+a.Duplicates != 50 || a.Rejected != 0 {
		t.Fatalf("retry: %d %+v", code, a)
	}
	// Once more: everything is a duplicate now.
	code, _, a = e.do(t, post{token: tokenAll, contentType: "application/x-ndjson", body: body})
	if code != 200 || a.Duplicates != 50 {
		t.Fatalf("second retry: %d %+v", code, a)
	}
	ids := idCounts(t, k)
	for i := range 50 {
		if id := fmt.Sprintf("k-%02d", i); ids[id] != 1 {
			t.Errorf("%s is %d times in Kafka, want exactly once", id, ids[id])
		}
	}
}

func TestReadyz(t *testing.T) {
	k, cluster := ownKafka(t, 1)
	k.DialTimeout = time.Second
	e := start(t, k, nil) // ready while the broker runs
	cluster.Close()
	resp, err := http.Get(e.url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Ready  bool              `json:"ready"`
		Checks map[string]string `json:"checks"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != 503 || body.Ready || body.Checks["kafka"] == "ok" {
		t.Errorf("with the broker gone: %d %+v", resp.StatusCode, body)
	}
}

func TestMetrics(t *testing.T) {
	k := cxmtest.Kafka(t)
	e := start(t, k, nil)
	acc := func() float64 {
		return e.metric(t, "cxm_ingest_events_total", "type", "button", "outcome", metrics.Accepted)
	}
	rej := func() float64 {
		return e.metric(t, "cxm_ingest_events_total", "type", "unknown", "outcome", metrics.Rejected)
	}
	a0, r0 := acc(), rej()
	now := time.Now()
	code, _, _ := e.do(t, post{token: tokenAll, body: []byte("[" + smiley("m-1", "shop-1", now) + `,{"x":1}]`)})
	if code != 200 {
		t.Fatal(code)
	}
	if d := acc() - a0; d != 1 {
		t.Errorf("accepted button grew by %v", d)
	}
	if d := rej() - r0; d != 1 {
		t.Errorf("rejected unknown grew by %v", d)
	}
	resp, err := http.Get(e.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, name := range []string{"cxm_ingest_events_total", "cxm_ingest_request_duration_seconds_bucket",
		`cxm_kafka_produce_duration_seconds_count{component="ingest",topic=`, `cxm_kafka_produced_messages_total{component="ingest",topic=`} {
		if !bytes.Contains(text, []byte(name)) {
			t.Errorf("/metrics lacks %s", name)
		}
	}
}

// TestDuplicateAcrossInstances: two instances run side by side; each skips its own events when tailing (they
// carry its origin header) but learns the other's, so an id accepted by one is a duplicate at the other.
func TestDuplicateAcrossInstances(t *testing.T) {
	k := cxmtest.Kafka(t)
	a, b := start(t, k, nil), start(t, k, nil)
	now := time.Now()
	if code, _, ans := a.do(t, post{token: tokenAll, body: []byte(smiley("y-1", "shop-1", now))}); code != 200 || ans.Accepted != 1 {
		t.Fatalf("%d %+v", code, ans)
	}
	// The tailer fetches in batches (up to a second of wait): give it a while.
	for deadline := time.Now().Add(30 * time.Second); !b.svc.Knows("shop-1", "y-1"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the second instance never learned y-1 from the events topic")
		}
	}
	if code, _, ans := b.do(t, post{token: tokenAll, body: []byte(smiley("y-1", "shop-1", now))}); code != 200 || ans.Duplicates != 1 {
		t.Fatalf("%d %+v", code, ans)
	}
	msgs := ingesttest.ReadAll(t, k, k.Topics.Events)
	origins := map[string]bool{}
	for _, m := range msgs {
		for _, h := range m.Headers {
			if h.Key == dedupe.OriginHeader {
				origins[string(h.Value)] = true
			}
		}
	}
	if len(msgs) != 1 || len(origins) != 1 {
		t.Errorf("events topic: %d messages, origins %v", len(msgs), origins)
	}
}

// metric is the value of the counter or gauge name with the label pairs (name, value, …) in the service's
// registry, 0 when the series does not exist yet.
func (e *env) metric(t testing.TB, name string, labels ...string) float64 {
	t.Helper()
	mfs, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	series:
		for _, m := range mf.GetMetric() {
			have := map[string]string{}
			for _, lp := range m.GetLabel() {
				have[lp.GetName()] = lp.GetValue()
			}
			for i := 0; i+1 < len(labels); i += 2 {
				if have[labels[i]] != labels[i+1] {
					continue series
				}
			}
			if c := m.GetCounter(); c != nil {
				return c.GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	return 0
}
