package processor_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kafka"
	"github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/processor"
)

// sideEvents is the topic of BenchmarkSideBySide: CXM_BENCH_EVENTS or 100,000 (a run stays near a minute).
func sideEvents() int {
	var n int
	if _, err := fmt.Sscan(os.Getenv("CXM_BENCH_EVENTS"), &n); err == nil && n > 0 {
		return n
	}
	return 100000
}

// BenchmarkSideBySide measures, in one run on one topic, the processor beside a minimal sink: the sink
// consumes the same partitions, decodes each message and inserts the same raw rows into events, flushing
// on the same interval with the same insert streams, and does nothing else (no dedupe, no KPI
// components, no marks). For 1 and 2 instances, on the single server and, when it is up (make cluster),
// on the cluster. Reported per case: sink and processor events/s (throughput, what sizing needs: the sink
// from its first raw row in ClickHouse to its last; the processor from the moment its group settled —
// every partition owned and loaded — and its first mark is written, to its last mark, counting the offsets
// written after that moment)
// and processor/sink in percent; apart from that, the processor's start-up until its group settled
// (joining, the rebalance a second instance causes, loading the partitions' state).
func BenchmarkSideBySide(b *testing.B) {
	b.StopTimer()
	kc := testutil.Kafka(b)
	msgs := generate(sideEvents(), 31, base)
	produce(b, kc, msgs)
	ends := endOffsets(b, kc)
	total := 0
	for _, e := range ends {
		total += int(e)
	}
	targets := []string{"single"}
	if clusterUp() {
		targets = append(targets, "cluster")
	}
	for _, target := range targets {
		for _, instances := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/%d", target, instances), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					ch := database(b, target)
					cfg := testConfig(b, kc, ch, fmt.Sprintf("side-%s-%d-%d-%d", target, instances, i, time.Now().UnixNano()))
					cfg.Processor.FlushInterval = 500 * time.Millisecond
					cfg.Processor.PartitionMaxPending = 50000
					if target == "cluster" {
						// 18.16 runs one quorum INSERT per table at a time (no insert_quorum_parallel).
						cfg.Processor.EventInsertStreams = 1
					}
					sinkConn, err := clickhouse.Open(context.Background(), cfg.ClickHouse)
					if err != nil {
						b.Fatal(err)
					}
					first := firstRow(sinkConn, cfg.ClickHouse.Database)
					runSink(b, cfg, ends, instances)
					sink := time.Since(<-first)
					sinkConn.Close()
					ch2 := database(b, target)
					cfg.ClickHouse = ch2
					conn, err := clickhouse.Open(context.Background(), ch2)
					if err != nil {
						b.Fatal(err)
					}
					start := time.Now()
					var (
						stops []func()
						insts []*processor.Processor
					)
					for range instances {
						p, stop := startInstance(b, cfg)
						insts, stops = append(insts, p), append(stops, stop)
					}
					// Throughput from the moment the group is settled (every partition owned by one instance
					// with its state loaded, each instance with some: the rebalance a second instance causes
					// when it joins after the first began is start-up, reported apart) and something is
					// written. What the instances had written by then is left out of the count.
					settled := awaitSettled(b, insts, ends)
					from, done0 := settled, offsetsDone(b, conn, ch2.Database)
					for done0 == 0 { // nothing written yet: from the first flush on, like the sink
						time.Sleep(5 * time.Millisecond)
						from, done0 = time.Now(), offsetsDone(b, conn, ch2.Database)
					}
					waitCaughtUp(b, conn, ch2.Database, ends, 10*time.Minute)
					proc := time.Since(from)
					conn.Close()
					for _, s := range stops {
						s()
					}
					procEvents := float64(total) - float64(done0)
					b.ReportMetric(float64(total)/sink.Seconds(), "sink-events/s")
					b.ReportMetric(procEvents/proc.Seconds(), "processor-events/s")
					b.ReportMetric(100*(procEvents/proc.Seconds())/(float64(total)/sink.Seconds()), "processor-%-of-sink")
					b.ReportMetric(settled.Sub(start).Seconds(), "processor-startup-s")
				}
			})
		}
	}
}

// firstRow reports when the first raw row appears in database's events table (polled every 10 ms, for at
// most 10 minutes).
func firstRow(conn driver.Conn, database string) <-chan time.Time {
	out := make(chan time.Time, 1)
	go func() {
		for deadline := time.Now().Add(10 * time.Minute); time.Now().Before(deadline); {
			var n uint64
			if err := conn.QueryRow(context.Background(), "SELECT count() FROM "+clickhouse.Ident(database)+".events").Scan(&n); err == nil && n > 0 {
				out <- time.Now()
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	return out
}

// awaitSettled waits until every partition with messages is owned by exactly one of insts, each owning
// some, and returns that moment.
func awaitSettled(b *testing.B, insts []*processor.Processor, ends map[int]int64) time.Time {
	for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		ok := true
		per := make([]int, len(insts))
		for p, e := range ends {
			if e == 0 {
				continue
			}
			owners := 0
			for i, in := range insts {
				if in.Owns(p) {
					owners++
					per[i]++
				}
			}
			ok = ok && owners == 1
		}
		for _, n := range per {
			ok = ok && n > 0
		}
		if ok {
			return time.Now()
		}
	}
	b.Fatal("the group did not settle within 5 minutes")
	return time.Time{}
}

// offsetsDone is how many offsets kpi_minute's marks cover, over all partitions.
func offsetsDone(b *testing.B, conn driver.Conn, database string) uint64 {
	var n uint64
	if err := conn.QueryRow(context.Background(), "SELECT toUInt64(sum(m + 1)) FROM (SELECT max(last_offset) AS m FROM "+
		clickhouse.Ident(database)+".kpi_minute GROUP BY kafka_partition)").Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

func clusterUp() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, a := range testutil.ClusterAddrs() {
		conn, err := clickhouse.Open(ctx, config.ClickHouse{Addr: []string{a}, Username: "default", DialTimeout: time.Second})
		if err != nil {
			return false
		}
		conn.Close()
	}
	return true
}

// database is a fresh migrated database on the single server or on the cluster.
func database(b *testing.B, target string) config.ClickHouse {
	if target == "cluster" {
		return testutil.ClickHouseCluster(b).Cfg
	}
	_, ch := testutil.ClickHouse(b)
	return ch
}

// runSink consumes every partition up to ends with instances sinks (each the partitions i, i+instances, …,
// as a consumer group would split them) and returns how long until all rows were inserted.
func runSink(b *testing.B, cfg *config.Config, ends map[int]int64, instances int) time.Duration {
	b.Helper()
	start := time.Now()
	var wg sync.WaitGroup
	for inst := range instances {
		var parts []int
		for p := range ends {
			if p%instances == inst && ends[p] > 0 {
				parts = append(parts, p)
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := sink(cfg, parts, ends); err != nil {
				b.Error(err)
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}

// sink is one minimal consumer: partition readers into one channel, a flush every flush_interval (or at
// flush_max_events) of the decoded rows, split into event_insert_streams concurrent INSERTs.
func sink(cfg *config.Config, parts []int, ends map[int]int64) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	conn, err := clickhouse.Open(ctx, cfg.ClickHouse)
	if err != nil {
		return err
	}
	defer conn.Close()
	kc := cfg.Kafka
	msgs := make(chan kafkago.Message, 4096)
	left := 0
	for _, p := range parts {
		left += int(ends[p])
		go func() {
			r := kafkago.NewReader(kafkago.ReaderConfig{Brokers: kc.Brokers, Topic: kc.Topics.Events, Partition: p,
				Dialer: must(kafka.Dialer(kc)), MinBytes: 1, MaxBytes: kc.Consumer.MaxBytes, MaxWait: 100 * time.Millisecond,
				QueueCapacity: cfg.Processor.QueueCapacity, ReadLagInterval: -1})
			defer r.Close()
			for {
				m, err := r.FetchMessage(ctx)
				if err != nil {
					return
				}
				msgs <- m
				if m.Offset >= ends[p]-1 {
					return
				}
			}
		}()
	}
	var rows []clickhouse.EventRow
	tick := time.NewTicker(cfg.Processor.FlushInterval)
	defer tick.Stop()
	flush := func() error {
		if len(rows) == 0 {
			return nil
		}
		// Retried like the processor's flushes (on a cluster 18.16 refuses a second concurrent quorum
		// INSERT); identical retried blocks are dropped by the replicated table.
		var err error
		for try := 0; try < 100; try++ {
			if err = insertStreams(ctx, conn, cfg.ClickHouse.Database, rows, cfg.Processor.EventInsertStreams); err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		rows = rows[:0]
		return err
	}
	for left > 0 {
		select {
		case m := <-msgs:
			left--
			e, err := event.Decode(m.Value)
			if err != nil {
				continue
			}
			rows = append(rows, clickhouse.EventRow{Event: e, Received: m.Time.Truncate(time.Second).UTC(),
				KafkaPartition: int32(m.Partition), KafkaOffset: m.Offset})
			if len(rows) >= cfg.Processor.FlushMaxEvents {
				if err := flush(); err != nil {
					return err
				}
			}
		case <-tick.C:
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

func insertStreams(ctx context.Context, conn driver.Conn, db string, rows []clickhouse.EventRow, streams int) error {
	streams = max(1, min(streams, len(rows)))
	errs := make(chan error, streams)
	per := (len(rows) + streams - 1) / streams
	for s := 0; s < len(rows); s += per {
		go func() { errs <- clickhouse.InsertEvents(ctx, conn, db, rows[s:min(s+per, len(rows))]) }()
	}
	var first error
	for s := 0; s < len(rows); s += per {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}
