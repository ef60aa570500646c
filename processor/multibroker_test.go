package processor_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kafka"
	"github.com/cxm-project/cxm/internal/kafka/embedded"
	"github.com/cxm-project/cxm/internal/testutil"
)

// TestMultiBrokerNodeStopped: the embedded broker as a cluster of three nodes, topics with replication
// factor 3. In the middle of the stream the node leading partition 0 is stopped; the producer (the
// ingest's) moves to the new leaders without losing an acknowledged event, the processor resumes, and every
// figure is exact.
func TestMultiBrokerNodeStopped(t *testing.T) {
	c, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := embedded.Start(config.Broker{Listen: "127.0.0.1:0", Nodes: 3}, c.Kafka.Partitions, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	kc := c.Kafka
	kc.Brokers = b.Addrs()
	kc.ReplicationFactor = 3
	if len(kc.Brokers) != 3 {
		t.Fatalf("brokers %v, want 3", kc.Brokers)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := kafka.EnsureTopics(ctx, kc); err != nil {
		t.Fatal(err)
	}
	conn, err := kafkago.DialContext(ctx, "tcp", kc.Brokers[0])
	if err != nil {
		t.Fatal(err)
	}
	parts, err := conn.ReadPartitions(kc.Topics.Events)
	conn.Close()
	if err != nil {
		t.Fatal(err)
	}
	leaders := map[int]bool{}
	for _, p := range parts {
		leaders[p.Leader.ID] = true
		if len(p.Replicas) != 3 {
			t.Fatalf("partition %d has %d replicas, want 3", p.ID, len(p.Replicas))
		}
	}

	chConn, ch := testutil.ClickHouse(t)
	msgs := generate(streamSize()/2, 14, base)
	x := expect(msgs)
	n := len(msgs)
	produce(t, kc, msgs[:n/3])
	stop := startProcessor(t, testConfig(t, kc, ch, "multibroker"))
	produce(t, kc, msgs[n/3:n/2])
	victim := int32(parts[0].Leader.ID)
	if err := b.StopNode(victim); err != nil {
		t.Fatal(err)
	}
	t.Logf("stopped node %d (leaders before: %v), running: %v", victim, leaders, b.Addrs())
	// Every Produce that returns nil is an acknowledged event; produce fails the test on any error.
	produce(t, kc, msgs[n/2:])
	waitCaughtUp(t, chConn, ch.Database, endOffsets(t, kc), 5*time.Minute)
	stop()
	check(t, chConn, ch.Database, x)
}
