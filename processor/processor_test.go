package processor_test

import (
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"log/slog"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/processor"
)

// replaySize is the generated stream of the replay tests: a few hundred thousand events, fewer in -short.
func replaySize() int {
	if testing.Short() {
		return 40000
	}
	return 300000
}

// streamSize is the stream of TestRebalance and TestClickHouseDown: what they check is the partition moves
// and the outage in the middle of consumption, not volume, so it is smaller under the race detector.
func streamSize() int {
	if raceEnabled && !testing.Short() {
		return 80000
	}
	return replaySize() / 2
}

var base = time.Now().UTC().Add(-25 * time.Hour).Truncate(time.Hour)

// TestReplayExact: one instance consumes a generated stream with duplicates, repeats, refunds and late
// events; every minute's figures, the likes per subject and the raw rows equal the test's own computation.
func TestReplayExact(t *testing.T) {
	kc := testutil.Kafka(t)
	conn, ch := testutil.ClickHouse(t)
	msgs := generate(replaySize(), 1, base)
	x := expect(msgs)
	if x.repeats == 0 || x.late == 0 || len(msgs)-x.stored-x.late == 0 {
		t.Fatalf("generator lacks cases: %d repeats, %d late, %d duplicates", x.repeats, x.late, len(msgs)-x.stored-x.late)
	}
	produce(t, kc, msgs)
	p, stop := startInstance(t, testConfig(t, kc, ch, "replay"))
	ends := endOffsets(t, kc)
	waitCaughtUp(t, conn, ch.Database, ends, 5*time.Minute)
	stop()
	// Once stopped, the instance says it wrote what ClickHouse's marks say (the throughput benchmark waits
	// on this; while running, it learns a flush is in just after the marks land).
	for part, end := range ends {
		if got := p.WrittenTo(part); got != end {
			t.Errorf("partition %d: WrittenTo %d, its end and mark %d", part, got, end)
		}
	}
	check(t, conn, ch.Database, x)
	t.Logf("%d messages: %d stored (%d repeats), %d duplicates, %d dead-lettered late", len(msgs), x.stored, x.repeats,
		len(msgs)-x.stored-x.late, x.late)
}

// TestHelperProcess is the processor run as a child process by TestCrashRecovery, so it can be SIGKILLed.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("CXM_PROCESSOR_HELPER") != "1" {
		t.Skip("helper process for TestCrashRecovery")
	}
	cfg, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Kafka.Brokers = []string{os.Getenv("CXM_HELPER_BROKER")}
	cfg.ClickHouse.Addr = []string{os.Getenv("CXM_HELPER_CLICKHOUSE")}
	cfg.ClickHouse.Database = os.Getenv("CXM_HELPER_DATABASE")
	tuneForTests(cfg, os.Getenv("CXM_HELPER_GROUP"))
	if f := os.Getenv("CXM_HELPER_SURVEY_FILES"); f != "" {
		cfg.Questionnaires.SurveyFiles = strings.Split(f, ",")
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	// Info: generations and assignments are in the output when TestCrashRecovery fails.
	p, err := processor.New(cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if err := p.Run(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestCrashRecovery SIGKILLs a processor child process at random moments while it consumes (and while
// more events are produced), restarting it each time; the figures end exactly as without crashes.
func TestCrashRecovery(t *testing.T) {
	kc := testutil.Kafka(t)
	conn, ch := testutil.ClickHouse(t)
	msgs := generate(replaySize(), 2, base)
	x := expect(msgs)
	start := func() *exec.Cmd {
		cmd := startChild(t, "CXM_HELPER_BROKER="+kc.Brokers[0],
			"CXM_HELPER_CLICKHOUSE="+ch.Addr[0], "CXM_HELPER_DATABASE="+ch.Database, "CXM_HELPER_GROUP=crash")
		return cmd
	}
	rows := func() uint64 {
		var n uint64
		_ = conn.QueryRow(context.Background(), "SELECT count() FROM `"+ch.Database+"`.events").Scan(&n)
		return n
	}
	// Produce in the background, in parts, while the processor is killed and restarted.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		const parts = 12
		for i := range parts {
			produce(t, kc, msgs[i*len(msgs)/parts:(i+1)*len(msgs)/parts])
			time.Sleep(2 * time.Second)
		}
	}()
	r := rand.New(rand.NewPCG(7, 7))
	const kills = 6
	for i := range kills {
		before := rows()
		cmd := start()
		// Every kill lands while the child writes: once it has written something (it joined the group after
		// the previous child's session expired, and loaded its partitions from the marks), then at a random
		// moment up to 2 s later: mid-flush, mid-insert, between the raw and the mark inserts.
		deadline := time.Now().Add(2 * time.Minute)
		for rows() == before && time.Now().Before(deadline) {
			if done, want, _ := caughtUp(conn, ch.Database, endOffsets(t, kc)); done == want {
				break // nothing left to write: this kill lands on an idle child
			}
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(time.Duration(r.IntN(2000)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		t.Logf("kill %d: %d raw rows written before, %d after", i+1, before, rows())
	}
	wg.Wait()
	cmd := start()
	waitCaughtUp(t, conn, ch.Database, endOffsets(t, kc), 5*time.Minute)
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
	check(t, conn, ch.Database, x)
}

// TestRebalance: a second instance joins in the middle of the stream and the first leaves later; the
// partitions move twice and the figures stay exact.
func TestRebalance(t *testing.T) {
	kc := testutil.Kafka(t)
	conn, ch := testutil.ClickHouse(t)
	msgs := generate(streamSize(), 3, base)
	x := expect(msgs)
	cfg := testConfig(t, kc, ch, "rebalance")
	n := len(msgs)
	produce(t, kc, msgs[:n/3])
	stopA := startProcessor(t, cfg)
	time.Sleep(2 * time.Second)
	stopB := startProcessor(t, cfg)
	produce(t, kc, msgs[n/3:2*n/3])
	time.Sleep(3 * time.Second)
	stopA()
	produce(t, kc, msgs[2*n/3:])
	waitCaughtUp(t, conn, ch.Database, endOffsets(t, kc), 5*time.Minute)
	stopB()
	check(t, conn, ch.Database, x)
	if t.Failed() {
		mfs, _ := testMetrics.Gather()
		for _, mf := range mfs {
			if n := mf.GetName(); n == "cxm_processor_duplicates_total" || n == "cxm_processor_late_events_total" || n == "cxm_processor_repeats_total" {
				t.Logf("%s %v", n, mf.GetMetric()[0].GetCounter().GetValue())
			}
		}
		t.Logf("expected late %d dups %d", x.late, n-x.stored-x.late)
		rows, _ := conn.Query(context.Background(), "SELECT kafka_partition, last_offset, count() FROM `"+ch.Database+"`.kpi_minute GROUP BY kafka_partition, last_offset ORDER BY kafka_partition, last_offset")
		for rows.Next() {
			var p uint16
			var l, n uint64
			_ = rows.Scan(&p, &l, &n)
			t.Logf("mark p=%d last=%d rows=%d", p, l, n)
		}
		rows.Close()
	}
}

// TestClickHouseDown makes ClickHouse unreachable for the processor alone — it talks to the shared server
// through a TCP proxy of this test, which is closed (listener and every connection) for 30 s (10 s in
// -short) in the middle of the stream — and checks it waits, retries and catches up exactly.
func TestClickHouseDown(t *testing.T) {
	kc := testutil.Kafka(t)
	conn, ch := testutil.ClickHouse(t)
	msgs := generate(streamSize(), 4, base)
	x := expect(msgs)
	px := testutil.NewProxy(t, ch.Addr[0])
	cfgCH := ch
	cfgCH.Addr = []string{px.Addr}
	cfgCH.DialTimeout = time.Second
	cfg := testConfig(t, kc, cfgCH, "chdown")
	n := len(msgs)
	produce(t, kc, msgs[:n/2])
	stop := startProcessor(t, cfg)
	time.Sleep(2 * time.Second)
	px.Down()
	produce(t, kc, msgs[n/2:])
	outage := 30 * time.Second
	if testing.Short() {
		outage = 10 * time.Second
	}
	time.Sleep(outage)
	px.Up(t)
	waitCaughtUp(t, conn, ch.Database, endOffsets(t, kc), 5*time.Minute)
	stop()
	check(t, conn, ch.Database, x)
}
