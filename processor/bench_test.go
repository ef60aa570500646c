package processor_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kafka"
	"github.com/cxm-project/cxm/internal/testutil"
)

const benchEvents = 500000

// benchTopic is a broker holding benchEvents generated events, shared by the two throughput benchmarks
// so they read exactly the same data.
var benchTopic struct {
	kc   config.Kafka
	ends map[int]int64
}

func benchBroker(b *testing.B) config.Kafka {
	// A broker per benchmark function (testutil stops it at cleanup); producing is outside the timer.
	b.StopTimer()
	defer b.StartTimer()
	kc := testutil.Kafka(b)
	produce(b, kc, generate(benchEvents, 9, base))
	benchTopic.kc, benchTopic.ends = kc, endOffsets(b, kc)
	return kc
}

// BenchmarkProcessor: events/s from Kafka to ClickHouse figures (raw events stored too), one instance,
// 12 partitions. Compare with BenchmarkBareConsumer on the same data in the same run.
func BenchmarkProcessor(b *testing.B) {
	kc := benchBroker(b)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		conn, ch := testutil.ClickHouse(b)
		cfg := testConfig(b, kc, ch, fmt.Sprintf("bench-processor-%d", i))
		cfg.Processor.FlushInterval = 500 * time.Millisecond
		cfg.Processor.PartitionMaxPending = 50000
		b.StartTimer()
		start := time.Now()
		stop := startProcessor(b, cfg)
		waitCaughtUp(b, conn, ch.Database, benchTopic.ends, 10*time.Minute)
		el := time.Since(start)
		b.StopTimer()
		stop()
		b.ReportMetric(benchEvents/el.Seconds(), "events/s")
		b.StartTimer()
	}
}

// BenchmarkBareConsumer reads the same topic with kafka-go partition readers (one per partition, as the
// processor does) and discards every message: the ceiling the processor is measured against.
func BenchmarkBareConsumer(b *testing.B) {
	kc := benchBroker(b)
	for i := 0; i < b.N; i++ {
		start := time.Now()
		done := make(chan int, len(benchTopic.ends))
		for p, end := range benchTopic.ends {
			go func() {
				r := kafkago.NewReader(kafkago.ReaderConfig{Brokers: kc.Brokers, Topic: kc.Topics.Events, Partition: p,
					Dialer: must(kafka.Dialer(kc)), MinBytes: 1, MaxBytes: kc.Consumer.MaxBytes, MaxWait: kc.Consumer.ReaderMaxWait(),
					QueueCapacity: 2000, ReadLagInterval: -1})
				defer r.Close()
				n := 0
				for end > 0 {
					m, err := r.FetchMessage(context.Background())
					if err != nil {
						b.Error(err)
						break
					}
					n++
					if m.Offset >= end-1 {
						break
					}
				}
				done <- n
			}()
		}
		total := 0
		for range benchTopic.ends {
			total += <-done
		}
		el := time.Since(start)
		if total != benchEvents {
			b.Fatalf("read %d messages, want %d", total, benchEvents)
		}
		b.ReportMetric(float64(total)/el.Seconds(), "events/s")
	}
}

// BenchmarkLatency10k produces 10,000 events/s for 20 s while one processor runs and reports the
// percentiles of cxm_processor_end_to_end_duration_seconds: Kafka record time (set by the producer) to ClickHouse
// acknowledging the figures, per event.
func BenchmarkLatency10k(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		kc := testutil.Kafka(b)
		conn, ch := testutil.ClickHouse(b)
		cfg := testConfig(b, kc, ch, "bench-latency")
		cfg.Processor.FlushInterval = 500 * time.Millisecond
		msgs := generate(200000, 10, base)
		stop := startProcessor(b, cfg)
		time.Sleep(3 * time.Second) // joined the group
		before := histogram(b)
		b.StartTimer()
		const rate, tick = 10000, 50 * time.Millisecond
		per := int(rate * tick / time.Second)
		t := time.NewTicker(tick)
		for off := 0; off < len(msgs); off += per {
			<-t.C
			produce(b, kc, msgs[off:min(off+per, len(msgs))])
		}
		t.Stop()
		waitCaughtUp(b, conn, ch.Database, endOffsets(b, kc), 5*time.Minute)
		b.StopTimer()
		stop()
		after := histogram(b)
		for _, q := range []float64{0.5, 0.99} {
			b.ReportMetric(quantile(before, after, q), fmt.Sprintf("p%02.0f-seconds", q*100))
		}
	}
}

type hist struct {
	count  uint64
	bounds []float64
	cum    []uint64
}

func histogram(b *testing.B) hist {
	mfs, err := testMetrics.Gather()
	if err != nil {
		b.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "cxm_processor_end_to_end_duration_seconds" {
			continue
		}
		h := mf.GetMetric()[0].GetHistogram()
		out := hist{count: h.GetSampleCount()}
		for _, bk := range h.GetBucket() {
			out.bounds = append(out.bounds, bk.GetUpperBound())
			out.cum = append(out.cum, bk.GetCumulativeCount())
		}
		return out
	}
	return hist{}
}

// quantile is the upper bound of the bucket holding quantile q of the observations between two scrapes.
func quantile(before, after hist, q float64) float64 {
	n := after.count - before.count
	if n == 0 {
		return math.NaN()
	}
	for i, ub := range after.bounds {
		c := after.cum[i]
		if len(before.cum) > i {
			c -= before.cum[i]
		}
		if float64(c) >= q*float64(n) {
			return ub
		}
	}
	return math.Inf(1)
}

// must is for settings the config validation has checked already.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
