package fence_test

import (
	"context"
	"slices"
	"testing"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/processor/fence"
)

func TestQueryIDNamesItsPartitions(t *testing.T) {
	for _, tc := range []struct {
		id    string
		parts []int32
		ok    bool
	}{
		{id: fence.QueryID([]int32{0, 5, 11}), parts: []int32{0, 5, 11}, ok: true},
		{id: fence.QueryID(nil), ok: true},
		{id: "cxm-processor-1-2"},                    // the ids before partitions were named
		{id: "64835c8c-7dd3-4ace-b42e-ceadfac6b3fd"}, // anybody else's
		{id: "cxm-processor-x-y-p1.z"},
	} {
		parts, ok := fence.Partitions(tc.id)
		if ok != tc.ok || !slices.Equal(parts, tc.parts) {
			t.Errorf("Partitions(%q) = %v, %v; want %v, %v", tc.id, parts, ok, tc.parts, tc.ok)
		}
	}
	if a, b := fence.QueryID([]int32{1}), fence.QueryID([]int32{1}); a == b {
		t.Errorf("two inserts got the same id %q", a)
	}
}

// An insert whose query the server has (its client sent it and stopped before the data) is waited for
// by an owner of any partition it names, and by nobody else; once it ends, Await returns.
func TestAwaitWaitsForARunningInsert(t *testing.T) {
	conn, cfg := testutil.ClickHouse(t)
	ctx := context.Background()
	tbl := "`" + cfg.Database + "`.t"
	if err := conn.Exec(ctx, "CREATE TABLE "+tbl+" (x UInt32) ENGINE = MergeTree ORDER BY x"); err != nil {
		t.Fatal(err)
	}
	id := fence.QueryID([]int32{3, 5})
	b, err := conn.PrepareBatch(ch.Context(ctx, ch.WithQueryID(id)), "INSERT INTO "+tbl+" (x)")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Append(uint32(7)); err != nil {
		t.Fatal(err)
	}
	procs := fence.Local(conn)
	running, err := procs.Running(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(running, id) {
		t.Fatalf("running inserts %v lack %s", running, id)
	}
	if err := procs.Await(ctx, 20*time.Millisecond, fence.Touching([]int32{4, 6})); err != nil {
		t.Fatalf("an owner of other partitions waited: %v", err)
	}
	waited := make(chan error, 1)
	go func() { waited <- procs.Await(ctx, 20*time.Millisecond, fence.Touching([]int32{5})) }()
	// The wait cannot end while the insert runs: it runs until Send.
	for range 5 {
		select {
		case err := <-waited:
			t.Fatalf("Await returned (%v) while the insert of partition 5 was running", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	if err := <-waited; err != nil {
		t.Fatal(err)
	}
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM "+tbl).Scan(&n); err != nil || n != 1 {
		t.Fatalf("rows = %d, %v; want 1", n, err)
	}
}

// A client that stops mid-insert (paused, cut off) does not hold a new owner up for long: the server ends
// the insert after its receive_timeout, writing nothing, and a client resumed later fails.
func TestStalledInsertEndsAfterReceiveTimeout(t *testing.T) {
	conn, cfg := testutil.ClickHouse(t)
	ctx := context.Background()
	tbl := "`" + cfg.Database + "`.t"
	if err := conn.Exec(ctx, "CREATE TABLE "+tbl+" (x UInt32) ENGINE = MergeTree ORDER BY x"); err != nil {
		t.Fatal(err)
	}
	id := fence.QueryID([]int32{1})
	b, err := conn.PrepareBatch(ch.Context(ctx, ch.WithQueryID(id), ch.WithSettings(ch.Settings{"receive_timeout": 1})), "INSERT INTO "+tbl+" (x)")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Append(uint32(7)); err != nil {
		t.Fatal(err)
	}
	actx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := fence.Local(conn).Await(actx, 50*time.Millisecond, fence.Is(id)); err != nil {
		t.Fatalf("the stalled insert did not end: %v", err)
	}
	if err := b.Send(); err == nil {
		t.Error("the insert the server ended was accepted when the client resumed")
	}
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM "+tbl).Scan(&n); err != nil || n != 0 {
		t.Fatalf("rows = %d, %v; want 0", n, err)
	}
}
