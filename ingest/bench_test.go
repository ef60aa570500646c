package ingest_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kafka"
	cxmtest "github.com/cxm-project/cxm/internal/testutil"
)

// The benchmarks below run the same workload two ways, so their events/s compare directly: 1,000 smiley
// events per operation, several concurrent clients, an in-process kfake broker, acks=all.
const (
	benchBatch   = 1000
	benchClients = 4 // per GOMAXPROCS
)

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

// BenchmarkIngestNDJSON posts 1,000-event NDJSON requests over loopback HTTP to the real handler, which
// answers after the broker acknowledged every event. One op is one request.
func BenchmarkIngestNDJSON(b *testing.B) {
	k := cxmtest.Kafka(b)
	e := start(b, k, func(c *config.Config) {
		c.Locations = append(benchLocations, c.Locations...)
		c.Ingest.RateLimit = config.RateLimit{EventsPerSecond: 1e9, Burst: 1e9}
	})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	at := time.Now().Format(time.RFC3339)
	var req atomic.Int64
	b.SetParallelism(benchClients)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var body []byte
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
			out, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !bytes.HasPrefix(out, []byte(`{"accepted":1000,`)) {
				b.Errorf("%d %.200s", resp.StatusCode, out)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkDirectKafkaGo writes the same messages (key location, canonical JSON value) with kafka-go
// straight to the broker: the ceiling the ingest is measured against.
func BenchmarkDirectKafkaGo(b *testing.B) {
	k := cxmtest.Kafka(b)
	p := kafka.NewProducer(k, k.Topics.Events, slog.New(slog.DiscardHandler))
	defer p.Close()
	at := time.Now().Format(time.RFC3339)
	var req atomic.Int64
	b.SetParallelism(benchClients)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		msgs := make([]kafkago.Message, benchBatch)
		var buf []byte
		for pb.Next() {
			// benchEvents writes the canonical encoding already (same member order), so each line is the
			// value as the ingest would send it, with no parsing on this side.
			buf = benchEvents(buf[:0], "d"+strconv.FormatInt(req.Add(1), 36)+"-", benchBatch, at)
			rest := buf
			now := time.Now()
			for i := range msgs {
				j := bytes.IndexByte(rest, '\n')
				line := rest[:j]
				rest = rest[j+1:]
				loc := line[bytes.Index(line, []byte(`"location":"`))+12:]
				msgs[i] = kafkago.Message{Key: loc[:bytes.IndexByte(loc, '"')], Value: line, Time: now}
			}
			if err := p.Produce(context.Background(), msgs...); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "events/s")
}
