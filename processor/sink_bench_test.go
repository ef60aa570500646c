package processor_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
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

// sideEvents is the topic of BenchmarkSideBySide: CXM_BENCH_EVENTS or 3,000,000. Each side is timed after
// its first flush, which must leave most of the topic to time; at 1,000,000 a side's timed window was
// about 4 s on 2 cores and ratios ranged 60-125 % between rounds of one run (at 3,000,000: 66-111 %).
func sideEvents() int { return envCount("CXM_BENCH_EVENTS", 3000000) }

// sideRounds is how many times BenchmarkSideBySide runs each case: CXM_BENCH_ROUNDS or 3. Each round
// runs the sink and then the processor on fresh databases; the case reports the medians, and the lowest
// processor/sink ratio of its rounds.
func sideRounds() int { return envCount("CXM_BENCH_ROUNDS", 3) }

// envCount is the positive count in the environment variable name, or def.
func envCount(name string, def int) int {
	var n int
	if _, err := fmt.Sscan(os.Getenv(name), &n); err == nil && n > 0 {
		return n
	}
	return def
}

// perEvent is d in microseconds per event of n.
func perEvent(d time.Duration, n int) float64 {
	return float64(d) / float64(time.Microsecond) / float64(n)
}

func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// BenchmarkSideBySide measures, in one run on one topic, the processor beside a minimal sink: the sink
// consumes the same partitions, decodes each message and inserts the same raw rows into events, flushing
// on the same interval with the same insert streams, and does nothing else (no dedupe, no KPI
// components, no marks). For 1 and 2 instances, on the single server and, when it is up (make cluster),
// on the cluster; each case runs sideRounds rounds of sink then processor, each side on a fresh database
// and a quiet server (quiesce). The broker is a process of its own, as Kafka is in production.
//
// Reported per case, as medians over the rounds:
//   - sink and processor events/s, both timed the same way: from the moment their first flush landed
//     (for the processor, the first after its group settled — every partition owned and loaded) to their
//     end, over the offsets written after that moment;
//   - processor/sink in percent, and the lowest ratio of the rounds;
//   - CPU per event of each side, summed over this process, the broker's and every ClickHouse server's
//     (when procfs shows them): on a machine whose cores the pipeline saturates, the ratio of these is
//     what throughput follows, and it is steadier than wall time;
//   - the processor's start-up until its group settled (joining, the rebalance a second instance causes,
//     loading the partitions' state).
func BenchmarkSideBySide(b *testing.B) {
	b.StopTimer()
	kc, broker := testutil.KafkaProcess(b)
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
				var sinks, procs, ratios, startups, sinkCPU, procCPU []float64
				cpuOK := true
				for i := 0; i < b.N*sideRounds(); i++ {
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
					quiesce(b, target, cfg.ClickHouse)
					first := firstFlush(sinkConn, cfg.ClickHouse.Database, "events", "kafka_offset")
					// Goroutines inherit these labels: a CPU profile (-cpuprofile) splits by side with
					// pprof -tagfocus side=sink or side=processor.
					pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels("side", "sink")))
					s0, o0, ok0 := cpuClock(broker)
					g0 := gcCPU()
					runSink(b, cfg, ends, instances)
					s1, o1, ok1 := cpuClock(broker)
					g1 := gcCPU()
					pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels("side", "processor")))
					f := <-first
					if f.at.IsZero() {
						b.Fatal("the sink wrote no row within 10 minutes")
					}
					if f.offsets >= total {
						b.Fatalf("the sink's first flush covered all %d events: nothing left to time (raise CXM_BENCH_EVENTS)", total)
					}
					sinkRate := float64(total-f.offsets) / time.Since(f.at).Seconds()
					sinkConn.Close()
					ch2 := database(b, target)
					cfg.ClickHouse = ch2
					conn, err := clickhouse.Open(context.Background(), ch2)
					if err != nil {
						b.Fatal(err)
					}
					quiesce(b, target, ch2)
					s2, o2, ok2 := cpuClock(broker)
					g2 := gcCPU()
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
					// From the first flush after that on, like the sink.
					pf := <-firstFlush(conn, ch2.Database, "kpi_minute", "last_offset")
					if pf.at.IsZero() {
						b.Fatal("the processor wrote no mark within 10 minutes")
					}
					awaitWritten(b, insts, ends)
					if pf.offsets >= total {
						b.Fatalf("the processor's first flush covered all %d events: nothing left to time (raise CXM_BENCH_EVENTS)", total)
					}
					procRate := float64(total-pf.offsets) / time.Since(pf.at).Seconds()
					s3, o3, ok3 := cpuClock(broker)
					g3 := gcCPU()
					// What the instances say they wrote, ClickHouse's marks must say too (checked once, untimed).
					waitCaughtUp(b, conn, ch2.Database, ends, time.Minute)
					cpuOK = cpuOK && ok0 && ok1 && ok2 && ok3
					sinkCPU = append(sinkCPU, perEvent(s1-s0+o1-o0, total))
					procCPU = append(procCPU, perEvent(s3-s2+o3-o2, total))
					conn.Close()
					for _, s := range stops {
						s()
					}
					pprof.SetGoroutineLabels(context.Background())
					sinks, procs = append(sinks, sinkRate), append(procs, procRate)
					ratios, startups = append(ratios, 100*procRate/sinkRate), append(startups, settled.Sub(start).Seconds())
					b.Logf("round %d: sink %.0f events/s, processor %.0f events/s, %.1f %%, start-up %.2f s; "+
						"CPU per event (this process, of which garbage collection, + broker and ClickHouse): sink %.2f µs (%.2f, %.2f + %.2f), processor %.2f µs (%.2f, %.2f + %.2f)",
						i+1, sinkRate, procRate, 100*procRate/sinkRate, settled.Sub(start).Seconds(),
						sinkCPU[len(sinkCPU)-1], perEvent(s1-s0, total), perEvent(g1-g0, total), perEvent(o1-o0, total),
						procCPU[len(procCPU)-1], perEvent(s3-s2, total), perEvent(g3-g2, total), perEvent(o3-o2, total))
				}
				b.ReportMetric(median(sinks), "sink-events/s")
				b.ReportMetric(median(procs), "processor-events/s")
				b.ReportMetric(median(ratios), "processor-%-of-sink")
				b.ReportMetric(slices.Min(ratios), "min-processor-%-of-sink")
				b.ReportMetric(median(startups), "processor-startup-s")
				if cpuOK {
					b.ReportMetric(median(sinkCPU), "sink-cpu-µs/event")
					b.ReportMetric(median(procCPU), "processor-cpu-µs/event")
				}
			})
		}
	}
}

// quiesce waits until the servers have no merge (and, on the cluster, no replication task) in progress,
// then collects Go's garbage: each side starts on a quiet machine instead of paying for the merges of
// the rows the side before it wrote, which ClickHouse runs in the background after the inserts.
func quiesce(b *testing.B, target string, ch config.ClickHouse) {
	b.Helper()
	addrs, q := ch.Addr, "SELECT (SELECT count() FROM system.merges)"
	if target == "cluster" {
		addrs, q = testutil.ClusterAddrs(), q+" + (SELECT count() FROM system.replication_queue)"
	}
	for _, a := range addrs {
		one := ch
		one.Addr = []string{a}
		conn, err := clickhouse.Open(context.Background(), one)
		if err != nil {
			b.Fatal(err)
		}
		for quiet, deadline := 0, time.Now().Add(5*time.Minute); quiet < 3; time.Sleep(100 * time.Millisecond) {
			var n uint64
			if err := conn.QueryRow(context.Background(), q).Scan(&n); err != nil {
				b.Fatal(err)
			}
			if quiet++; n > 0 {
				quiet = 0
			}
			if time.Now().After(deadline) {
				b.Fatalf("%s: %d merges or replication tasks still running after 5 minutes", a, n)
			}
		}
		conn.Close()
	}
	runtime.GC()
}

// flushPoint is when a side's first flush landed, and how many offsets it covered.
type flushPoint struct {
	at      time.Time
	offsets int
}

// firstFlush reports the first moment table has rows (polled every 5 ms, for at most 10 minutes) and the
// offsets they cover: per partition, the highest offset column holds, plus one. Both sides are timed from
// that point to their end over the offsets after it, so neither is credited with what it read before its
// first write landed.
func firstFlush(conn driver.Conn, database, table, column string) <-chan flushPoint {
	out := make(chan flushPoint, 1)
	q := "SELECT toUInt64(sum(m + 1)) FROM (SELECT max(" + column + ") AS m FROM " + clickhouse.Ident(database) + "." + table + " GROUP BY kafka_partition)"
	go func() {
		for deadline := time.Now().Add(10 * time.Minute); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			var n uint64
			if err := conn.QueryRow(context.Background(), q).Scan(&n); err == nil && n > 0 {
				out <- flushPoint{at: time.Now(), offsets: int(n)}
				return
			}
		}
		close(out)
	}()
	return out
}

// awaitWritten waits until, for every partition, one of insts has written its events up to its end in
// ends. It asks the instances, polling every 5 ms, and not ClickHouse: the sink's end is known in its
// process too, and polling the marks in ClickHouse would load the server the processor is timed on.
func awaitWritten(b *testing.B, insts []*processor.Processor, ends map[int]int64) {
	for deadline := time.Now().Add(10 * time.Minute); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		done := true
		for p, e := range ends {
			var w int64
			for _, in := range insts {
				w = max(w, in.WrittenTo(p))
			}
			done = done && w >= e
		}
		if done {
			return
		}
	}
	b.Fatal("the processor did not write every partition to its end within 10 minutes")
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
				Dialer: must(kafka.Dialer(kc)), MinBytes: 1, MaxBytes: kc.Consumer.MaxBytes, MaxWait: kc.Consumer.ReaderMaxWait(),
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
