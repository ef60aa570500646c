package processor_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/testutil"
)

// The processor on the local ClickHouse cluster (make cluster: 2 shards × 2 replicas, ZooKeeper). Each test
// checks every figure through every one of the four servers, after the faults, against the test's own
// computation: the same check TestReplayExact makes on one server.

// clusterStream is the stream size of the cluster tests: they check the fault in the middle of the
// stream, and four servers plus ZooKeeper share a 2-core machine with the broker and the processor.
func clusterStream() int {
	if testing.Short() {
		return 10000
	}
	return 30000
}

// clusterConfig points a processor at the cluster with its servers in the given order: clickhouse-go uses
// the first that answers, so the order says which replica the processor writes through.
func clusterConfig(t *testing.T, kc config.Kafka, c *testutil.Cluster, group string, order ...int) *config.Config {
	t.Helper()
	ch := c.Cfg
	ch.Addr = nil
	for _, n := range order {
		ch.Addr = append(ch.Addr, c.Cfg.Addr[n-1])
	}
	ch.DialTimeout = time.Second
	return testConfig(t, kc, ch, group)
}

// checkEverywhere waits until every replica has fetched what the quorum wrote, then runs check through
// each server: the Distributed tables and the replicated KPI tables answer alike on all four.
func checkEverywhere(t *testing.T, c *testutil.Cluster, x expected) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	db := clickhouse.Ident(c.Cfg.Database)
	for i, s := range c.Servers {
		for _, table := range []string{"events_local", "kpi_minute", "like_minute", "kpi_5m", "kpi_hour", "kpi_day", "kpi_hour_total"} {
			if err := s.Exec(ctx, "SYSTEM SYNC REPLICA "+db+"."+table); err != nil {
				t.Fatalf("server %d: sync %s: %v", i+1, table, err)
			}
		}
	}
	for i, s := range c.Servers {
		t.Run("server"+string(rune('1'+i)), func(t *testing.T) { check(t, s, c.Cfg.Database, x) })
	}
}

// TestClusterReplayExact: two processors, one writing through server 1 (shard 1), the other through server
// 3 (shard 2), share the stream; the first leaves mid-stream, so the second reads on server 3 the marks the
// first wrote on server 1 (quorum writes, sequentially consistent reads). Every figure is exact on every
// server.
func TestClusterReplayExact(t *testing.T) {
	c := testutil.ClickHouseCluster(t)
	kc := testutil.Kafka(t)
	msgs := generate(clusterStream(), 11, base)
	x := expect(msgs)
	n := len(msgs)
	produce(t, kc, msgs[:n/2])
	stopA := startProcessor(t, clusterConfig(t, kc, c, "cluster-replay", 1, 2, 3, 4))
	stopB := startProcessor(t, clusterConfig(t, kc, c, "cluster-replay", 3, 4, 1, 2))
	time.Sleep(3 * time.Second)
	stopA()
	produce(t, kc, msgs[n/2:])
	waitCaughtUp(t, c.Servers[2], c.Cfg.Database, endOffsets(t, kc), 5*time.Minute)
	stopB()
	checkEverywhere(t, c, x)
}

// TestClusterReplicaKilled: during the replay a replica the processor does not write through is killed
// (kill -9) and restarted; then the replica it writes through is killed in the middle of its inserts and
// restarted. The processor retries (writes wait for the quorum or move to the next server) and every
// figure is exact on every server.
func TestClusterReplicaKilled(t *testing.T) {
	c := testutil.ClickHouseCluster(t)
	kc := testutil.Kafka(t)
	msgs := generate(clusterStream(), 12, base)
	x := expect(msgs)
	n := len(msgs)
	produce(t, kc, msgs[:n/3])
	stop := startProcessor(t, clusterConfig(t, kc, c, "cluster-kill", 1, 2, 3, 4))
	time.Sleep(time.Second + time.Duration(rand.IntN(1000))*time.Millisecond)
	c.Kill(4) // a replica of shard 2, not written through
	produce(t, kc, msgs[n/3:2*n/3])
	time.Sleep(2 * time.Second)
	c.Start(4)
	// The server written through, while the processor is busy with the last third.
	produce(t, kc, msgs[2*n/3:])
	time.Sleep(time.Duration(rand.IntN(500)) * time.Millisecond)
	c.Kill(1)
	time.Sleep(3 * time.Second)
	c.Start(1)
	time.Sleep(time.Second)
	waitCaughtUp(t, c.Servers[1], c.Cfg.Database, endOffsets(t, kc), 5*time.Minute)
	stop()
	checkEverywhere(t, c, x)
}

// TestClusterZooKeeperDown: ZooKeeper stops for 30 s (10 s in -short) mid-stream. Inserts into replicated
// tables fail (the tables are read-only without ZooKeeper); the processor waits, retries and catches up
// exactly.
func TestClusterZooKeeperDown(t *testing.T) {
	c := testutil.ClickHouseCluster(t)
	kc := testutil.Kafka(t)
	msgs := generate(clusterStream(), 13, base)
	x := expect(msgs)
	n := len(msgs)
	produce(t, kc, msgs[:n/2])
	stop := startProcessor(t, clusterConfig(t, kc, c, "cluster-zk", 1, 2, 3, 4))
	time.Sleep(2 * time.Second)
	c.StopZooKeeper()
	produce(t, kc, msgs[n/2:])
	outage := 30 * time.Second
	if testing.Short() {
		outage = 10 * time.Second
	}
	time.Sleep(outage)
	c.StartZooKeeper()
	waitCaughtUp(t, c.Servers[0], c.Cfg.Database, endOffsets(t, kc), 5*time.Minute)
	stop()
	checkEverywhere(t, c, x)
}
