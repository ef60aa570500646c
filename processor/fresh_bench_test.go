package processor_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/processor"
	"github.com/cxm-project/cxm/processor/status"
)

// BenchmarkFreshness10k is the figure a user feels: from an event to its location's traffic light. While
// 10,000 events/s of the generated stream flow through one processor with its status evaluator (wired as
// `cxm process` wires them, kpi.evaluate_after_flush 1s), a probe event every 250 ms, a detractor at a
// location of its own whose NPS needs one answer, must turn that location's cxm_indicator_status red; the
// time from producing the probe to the red series is reported as p50, p99 and max.
func BenchmarkFreshness10k(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		kc := testutil.Kafka(b)
		_, ch := testutil.ClickHouse(b)
		cfg := testConfig(b, kc, ch, "bench-fresh")
		cfg.Processor.FlushInterval = 500 * time.Millisecond
		cfg.KPI.EvaluateAfterFlush = time.Second
		const probes = 80
		for g := range 40 {
			cfg.Locations = append(cfg.Locations, config.Location{ID: fmt.Sprintf("shop:g-%02d", g), Name: "g", Region: "r", TimeZone: "UTC"})
		}
		one, red, yellow := int64(1), 0.0, 30.0
		for p := range probes {
			id := fmt.Sprintf("probe-%03d", p)
			cfg.Locations = append(cfg.Locations, config.Location{ID: id, Name: id, Region: "probe", TimeZone: "UTC"})
		}
		cfg.KPI.Overrides = append(cfg.KPI.Overrides, config.ThresholdOverride{Region: "probe", KPI: "nps",
			ThresholdConfig: config.ThresholdConfig{Yellow: &yellow, Red: &red, MinN: &one}})
		if err := cfg.Validate(); err != nil {
			b.Fatal(err)
		}
		log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		p, err := processor.New(cfg, log, prometheus.NewRegistry())
		if err != nil {
			b.Fatal(err)
		}
		conn, closeCH := openCH(b, cfg)
		reg := prometheus.NewRegistry()
		ev := status.New(cfg, conn, log, reg)
		ev.SetOwner(status.OwnedBy(p.Owns, cfg.Kafka.Partitions))
		p.OnFlush(ev.Notify)
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); _ = p.Run(ctx) }()
		go func() { defer wg.Done(); _ = ev.Run(ctx) }()
		time.Sleep(3 * time.Second) // joined the group, first evaluation done

		msgs := generate(200000, 21, base)
		sent := make([]time.Time, probes)
		seen := make([]time.Time, probes)
		var mu sync.Mutex
		watchDone := make(chan struct{})
		go func() { // polls the red series of every probe sent and not yet seen
			defer close(watchDone)
			for {
				mfs, _ := reg.Gather()
				now := time.Now()
				mu.Lock()
				for _, mf := range mfs {
					if mf.GetName() == "cxm_indicator_status" {
						for _, m := range mf.GetMetric() {
							markRed(m, sent, seen, now)
						}
					}
				}
				all := !slices.ContainsFunc(seen, time.Time.IsZero)
				mu.Unlock()
				if all || ctx.Err() != nil {
					return
				}
				time.Sleep(5 * time.Millisecond)
			}
		}()
		b.StartTimer()
		const rate, tick = 10000, 50 * time.Millisecond
		per := int(rate * tick / time.Second)
		t := time.NewTicker(tick)
		probe := 0
		for off, n := 0, 0; off < len(msgs) && probe < probes; off, n = off+per, n+1 {
			<-t.C
			batch := msgs[off:min(off+per, len(msgs))]
			if n%5 == 0 { // every 250 ms
				id := fmt.Sprintf("probe-%03d", probe)
				batch = append(slices.Clone(batch), msg{e: event.Event{ID: "p-" + id, Type: event.TypeSurvey, Survey: "after-visit",
					Location: id, Time: time.Now().UTC(), Answers: &event.Answers{NPS: ptr(0)}}})
				mu.Lock()
				sent[probe] = time.Now()
				mu.Unlock()
				probe++
			}
			produce(b, kc, batch)
		}
		t.Stop()
		select {
		case <-watchDone:
		case <-time.After(2 * time.Minute):
		}
		b.StopTimer()
		cancel()
		wg.Wait()
		closeCH()
		var lat []float64
		for j := range sent {
			if seen[j].IsZero() {
				b.Fatalf("probe %d never turned red", j)
			}
			lat = append(lat, seen[j].Sub(sent[j]).Seconds())
		}
		slices.Sort(lat)
		b.ReportMetric(lat[len(lat)/2], "p50-seconds")
		b.ReportMetric(lat[len(lat)*99/100], "p99-seconds")
		b.ReportMetric(lat[len(lat)-1], "max-seconds")
		// What the light waits for besides the flush: the evaluations, their number and mean time.
		mfs, _ := reg.Gather()
		for _, mf := range mfs {
			if mf.GetName() == "cxm_status_evaluation_duration_seconds" {
				h := mf.GetMetric()[0].GetHistogram()
				b.ReportMetric(float64(h.GetSampleCount()), "evaluations")
				b.ReportMetric(h.GetSampleSum()/float64(max(h.GetSampleCount(), 1)), "eval-mean-seconds")
			}
		}
	}
}

// markRed records the first time a sent probe's red series is 1.
func markRed(m *dto.Metric, sent, seen []time.Time, now time.Time) {
	var loc, st string
	for _, l := range m.GetLabel() {
		switch l.GetName() {
		case "location":
			loc = l.GetValue()
		case "status":
			st = l.GetValue()
		}
	}
	var j int
	if st != "red" || m.GetGauge().GetValue() != 1 {
		return
	}
	if _, err := fmt.Sscanf(loc, "probe-%03d", &j); err != nil || j >= len(sent) {
		return
	}
	if !sent[j].IsZero() && seen[j].IsZero() {
		seen[j] = now
	}
}

// openCH opens the connection the evaluator shares with nothing else (as `cxm process` does).
func openCH(b *testing.B, cfg *config.Config) (driver.Conn, func()) {
	b.Helper()
	conn, err := clickhouse.Open(context.Background(), cfg.ClickHouse)
	if err != nil {
		b.Fatal(err)
	}
	return conn, func() { conn.Close() }
}
