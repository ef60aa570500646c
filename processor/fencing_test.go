package processor_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/cxm-project/cxm/internal/testutil"
)

// Fencing (processor/lease, processor/fence): a member that lost its partitions must never have a write
// counted after their new owner read the marks. Each test ends with every figure exact.

// inserts lists the processor inserts the server runs now into database db.
func inserts(t testing.TB, conn driver.Conn, db string) []string {
	rows, err := conn.Query(context.Background(), "SELECT query_id FROM system.processes WHERE startsWith(query_id, 'cxm-processor-') AND position(query, ?) > 0", "`"+db+"`")
	if err != nil {
		t.Logf("system.processes: %v", err)
		return nil
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if rows.Scan(&id) == nil {
			out = append(out, id)
		}
	}
	return out
}

// lockedBuffer collects a child's log while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestFencingPausedMember SIGSTOPs a processor while one of its inserts is in flight, keeps it stopped
// past the session timeout while another member takes its partitions over and catches up, then SIGCONTs
// it while more events arrive. The paused member resumes with its lease run out: it writes nothing more
// in that generation, and the new owner waited for its unfinished insert before it read the marks.
func TestFencingPausedMember(t *testing.T) {
	kc := testutil.Kafka(t)
	conn, ch := testutil.ClickHouse(t)
	msgs := generate(streamSize()/2, 11, base)
	x := expect(msgs)
	n := len(msgs)
	produce(t, kc, msgs[:n/2])
	var out lockedBuffer
	a := startChildTo(t, io.MultiWriter(os.Stderr, &out), "CXM_HELPER_BROKER="+kc.Brokers[0],
		"CXM_HELPER_CLICKHOUSE="+ch.Addr[0], "CXM_HELPER_DATABASE="+ch.Database, "CXM_HELPER_GROUP=fence-pause")
	var caught []string
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline) && len(caught) == 0; {
		if ids := inserts(t, conn, ch.Database); len(ids) > 0 {
			if err := a.Process.Signal(syscall.SIGSTOP); err != nil {
				t.Fatal(err)
			}
			caught = inserts(t, conn, ch.Database) // still running once the member is stopped
			if len(caught) == 0 {
				_ = a.Process.Signal(syscall.SIGCONT) // it ended meanwhile: try the next one
			}
			continue
		}
		time.Sleep(2 * time.Millisecond)
	}
	if len(caught) == 0 {
		t.Fatal("no insert of the processor was seen in flight within 2 minutes")
	}
	t.Logf("stopped the member with inserts %v in flight", caught)
	cfg := testConfig(t, kc, ch, "fence-pause")
	stopB := startProcessor(t, cfg)
	produce(t, kc, msgs[n/2:3*n/4])
	// The new owner gets the partitions once the stopped member's session expired, waits for its insert
	// to end (the server ends it after receive_timeout) and catches up alone.
	waitCaughtUp(t, conn, ch.Database, endOffsets(t, kc), 5*time.Minute)
	if err := a.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	produce(t, kc, msgs[3*n/4:])
	waitCaughtUp(t, conn, ch.Database, endOffsets(t, kc), 5*time.Minute)
	_ = a.Process.Signal(syscall.SIGTERM)
	_ = a.Wait()
	stopB()
	check(t, conn, ch.Database, x)
	// What the resumed member did, for the record: refused writes are the lease at work.
	t.Logf("resumed member refused writes for its expired lease: %v", strings.Contains(out.String(), "lease expired"))
}

// TestFencingHeartbeatsDropped drops every heartbeat and offset commit of one member at the broker
// (kfake's control hooks) for 15 s while it keeps consuming and reaching ClickHouse, so the coordinator evicts it and gives its
// partitions to the other member while it still runs. Its lease runs out before the eviction: it stops
// writing (cxm_processor_lease_expired_total) instead of writing beside the new owner.
func TestFencingHeartbeatsDropped(t *testing.T) {
	kc, broker := testutil.KafkaBroker(t)
	conn, ch := testutil.ClickHouse(t)
	msgs := generate(streamSize()/2, 12, base)
	x := expect(msgs)
	n := len(msgs)
	cfg := testConfig(t, kc, ch, "fence-drop")
	produce(t, kc, msgs[:n/3])
	stopA := startProcessor(t, cfg)
	instanceA := strconv.FormatInt(testInstances.Load(), 10)
	waitRows(t, conn, ch.Database, 1, time.Minute)

	var (
		mu       sync.Mutex
		victim   string // member id of A: the only member when the hook is added
		dropping atomic.Bool
		dropped  atomic.Int64
	)
	dropping.Store(true)
	drop := func(member string) (kmsg.Response, error, bool) {
		mu.Lock()
		defer mu.Unlock()
		if victim == "" {
			victim = member
		}
		if dropping.Load() && member == victim {
			dropped.Add(1)
			return nil, nil, true // never answered
		}
		return nil, nil, false
	}
	// Offset commits go too: the coordinator would take them as signs of life.
	broker.ControlKey(kmsg.Heartbeat, func(r kmsg.Request) (kmsg.Response, error, bool) {
		return drop(r.(*kmsg.HeartbeatRequest).MemberID)
	})
	broker.ControlKey(kmsg.OffsetCommit, func(r kmsg.Request) (kmsg.Response, error, bool) {
		return drop(r.(*kmsg.OffsetCommitRequest).MemberID)
	})
	stopB := startProcessor(t, cfg)
	// Events keep coming while the heartbeats are lost, so the member keeps having something to write.
	const parts = 15
	for i := range parts {
		produce(t, kc, msgs[n/3+i*(n/3)/parts:n/3+(i+1)*(n/3)/parts])
		time.Sleep(time.Second)
	}
	dropping.Store(false)
	produce(t, kc, msgs[2*n/3:])
	waitCaughtUp(t, conn, ch.Database, endOffsets(t, kc), 5*time.Minute)
	stopA()
	stopB()
	check(t, conn, ch.Database, x)
	if dropped.Load() == 0 {
		t.Fatal("no heartbeat of the member was dropped")
	}
	if got := counterOf(t, "cxm_processor_lease_expired_total", instanceA); got < 1 {
		t.Errorf("the member whose heartbeats were dropped never found its lease expired (%d heartbeats dropped)", dropped.Load())
	}
}

// TestInsertCommittedAfterClientGaveUp makes every kpi_minute insert take longer on the server than the
// processor waits for it (a column whose default sleeps): the client gives up, the server commits later.
// The retry must wait for the insert to end before it verifies, or it writes the batch a second time.
func TestInsertCommittedAfterClientGaveUp(t *testing.T) {
	kc := testutil.Kafka(t)
	conn, ch := testutil.ClickHouse(t)
	msgs := generate(4000, 13, base)
	x := expect(msgs)
	if err := conn.Exec(context.Background(), "ALTER TABLE `"+ch.Database+"`.kpi_minute ADD COLUMN slow UInt8 DEFAULT sleep(2)"); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, kc, ch, "fence-slow")
	cfg.Processor.WriteTimeout = time.Second
	cfg.Processor.FlushInterval = time.Second
	produce(t, kc, msgs)
	stop := startProcessor(t, cfg)
	instance := strconv.FormatInt(testInstances.Load(), 10)
	waitCaughtUp(t, conn, ch.Database, endOffsets(t, kc), 5*time.Minute)
	stop()
	check(t, conn, ch.Database, x)
	if counterOf(t, "cxm_processor_clickhouse_errors_total", instance) < 1 {
		t.Error("no insert timed out on the client: the test did not make the server commit after the client gave up")
	}
}

// waitRows waits until the raw table has at least n rows.
func waitRows(t testing.TB, conn driver.Conn, db string, n uint64, timeout time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var got uint64
		if conn.QueryRow(context.Background(), "SELECT count() FROM `"+db+"`.events").Scan(&got) == nil && got >= n {
			return
		}
	}
	t.Fatalf("fewer than %d raw rows after %s", n, timeout)
}

// counterOf reads an in-process instance's counter from testMetrics.
func counterOf(t testing.TB, name, instance string) float64 {
	t.Helper()
	mfs, err := testMetrics.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "instance" && l.GetValue() == instance {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}
