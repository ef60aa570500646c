package ingest_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/ingest/dedupe"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kafka"
	"github.com/cxm-project/cxm/internal/testutil"
)

// The benchmarks below run the same workload two ways, so their events/s compare directly: 1,000 smiley
// events per operation, several concurrent clients, acks=all, lz4, the same keys and values. The broker
// (kfake, as `cxm kafka` runs it) is a separate process for both, started fresh for every run, so its CPU
// and heap are charged to neither side and the ingest's dedupe tail starts on an empty topic.
//
// Besides events/s each reports cpu-ms/op, the CPU the benchmark process spent per 1,000 events (HTTP
// clients included on the ingest side), and broker-cpu-ms/op, the broker process's: on a shared machine
// these vary less than wall-clock rates.
const (
	benchBatch   = 1000
	benchClients = 4 // per GOMAXPROCS
)

func TestMain(m *testing.M) {
	if code, served := testutil.ServeBrokerProcess(); served {
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// measure starts the timer and returns the function that stops it and reports the metrics.
func measure(b *testing.B, br *testutil.BrokerProcess) func() {
	b.ReportAllocs()
	self0 := testutil.SelfCPU()
	broker0, _ := br.CPU()
	b.ResetTimer()
	return func() {
		b.StopTimer()
		broker1, _ := br.CPU()
		self, broker := testutil.SelfCPU()-self0, broker1-broker0
		b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "events/s")
		b.ReportMetric(float64(self.Microseconds())/1000/float64(b.N), "cpu-ms/op")
		b.ReportMetric(float64(broker.Microseconds())/1000/float64(b.N), "broker-cpu-ms/op")
	}
}

var benchLocations = func() []config.Location {
	var ls []config.Location
	for i := range 20 {
		ls = append(ls, config.Location{ID: "store-" + strconv.Itoa(i)})
	}
	return ls
}()

// benchEvents appends n NDJSON smiley events with ids unique to prefix.
func benchEvents(b []byte, prefix string, n int, at string) []byte {
	for i := range n {
		b = append(b, `{"id":"`...)
		b = append(b, prefix...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, `","type":"button","location":"store-`...)
		b = strconv.AppendInt(b, int64(i%20), 10)
		b = append(b, `","device":"smiley-1","time":"`...)
		b = append(b, at...)
		b = append(b, `","kind":"smiley","value":`...)
		b = strconv.AppendInt(b, int64(1+i%5), 10)
		b = append(b, `,"scale":5}`+"\n"...)
	}
	return b
}

// benchTime is the events' time, in the form the canonical encoding writes, so the lines of benchEvents are
// byte for byte the values the ingest sends (checked by checkCanonical).
func benchTime() string { return time.Now().UTC().Truncate(time.Second).Format(time.RFC3339Nano) }

// checkCanonical fails the benchmark unless every line of body is its own canonical encoding: then the
// direct writer sends exactly what the ingest would.
func checkCanonical(b *testing.B, body []byte) {
	b.Helper()
	for line := range bytes.Lines(body) {
		line = bytes.TrimSuffix(line, []byte("\n"))
		ev, errs := event.Parse(line)
		if errs != nil {
			b.Fatalf("%s: %v", line, errs)
		}
		if got := ev.AppendJSON(nil); !bytes.Equal(got, line) {
			b.Fatalf("benchmark line is not canonical:\n got %s\nwant %s", line, got)
		}
	}
}

// BenchmarkIngestNDJSON posts 1,000-event NDJSON requests over loopback HTTP to the real handler, which
// answers after the broker acknowledged every event. One op is one request.
func BenchmarkIngestNDJSON(b *testing.B) {
	k, br := testutil.KafkaProcess(b)
	e := start(b, k, func(c *config.Config) {
		c.Locations = append(benchLocations, c.Locations...)
		c.Ingest.RateLimit = config.RateLimit{EventsPerSecond: 1e9, Burst: 1e9, BytesPerSecond: 1 << 40, BytesBurst: 1 << 40}
	})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	defer client.CloseIdleConnections()
	at := benchTime()
	checkCanonical(b, benchEvents(nil, "check-", benchBatch, at))
	var req atomic.Int64
	b.SetParallelism(benchClients)
	done := measure(b, br)
	b.RunParallel(func(pb *testing.PB) {
		var body []byte
		var out bytes.Buffer
		for pb.Next() {
			body = benchEvents(body[:0], "b"+strconv.FormatInt(req.Add(1), 36)+"-", benchBatch, at)
			r, _ := http.NewRequest("POST", e.url+"/v1/events", bytes.NewReader(body))
			r.Header.Set("Authorization", "Bearer "+tokenAll)
			r.Header.Set("Content-Type", "application/x-ndjson")
			resp, err := client.Do(r)
			if err != nil {
				b.Error(err)
				return
			}
			out.Reset()
			_, _ = out.ReadFrom(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !bytes.HasPrefix(out.Bytes(), []byte(`{"accepted":1000,`)) {
				b.Errorf("%d %.200s", resp.StatusCode, out.Bytes())
				return
			}
		}
	})
	done()
}

// BenchmarkDirectKafkaGo writes the same messages (key location, canonical JSON value, the ingest's
// headers) with the same producer (acks=all, lz4) straight to the broker: the ceiling the ingest is
// measured against.
func BenchmarkDirectKafkaGo(b *testing.B) {
	k, br := testutil.KafkaProcess(b)
	p := kafka.NewProducer(k, k.Topics.Events, slog.New(slog.DiscardHandler), nil)
	defer p.Close()
	at := benchTime()
	checkCanonical(b, benchEvents(nil, "check-", benchBatch, at))
	headers := dedupe.OriginHeaders(dedupe.NewOrigin())
	var req atomic.Int64
	b.SetParallelism(benchClients)
	done := measure(b, br)
	b.RunParallel(func(pb *testing.PB) {
		msgs := make([]kafkago.Message, benchBatch)
		var buf []byte
		for pb.Next() {
			// Each line is the value as the ingest would send it (checkCanonical), with no parsing here.
			buf = benchEvents(buf[:0], "d"+strconv.FormatInt(req.Add(1), 36)+"-", benchBatch, at)
			rest := buf
			now := time.Now()
			for i := range msgs {
				j := bytes.IndexByte(rest, '\n')
				line := rest[:j]
				rest = rest[j+1:]
				loc := line[bytes.Index(line, []byte(`"location":"`))+12:]
				msgs[i] = kafkago.Message{Key: loc[:bytes.IndexByte(loc, '"')], Value: line, Headers: headers, Time: now}
			}
			if err := p.Produce(context.Background(), msgs...); err != nil {
				b.Error(err)
				return
			}
		}
	})
	done()
}
