package testutil

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kafka"
	"github.com/cxm-project/cxm/internal/kafka/embedded"
)

// Kafka starts a broker of the test's own (kfake, in memory, on a random loopback port), creates the events
// and dead-letter topics and returns the default Kafka config pointed at it. The broker stops at cleanup.
// kfake speaks the real Kafka protocol, so the code under test runs exactly as against a cluster.
func Kafka(t testing.TB) config.Kafka {
	t.Helper()
	cfg, _ := KafkaBroker(t)
	return cfg
}

// KafkaBroker is Kafka, with the broker for fault injection (embedded.Broker.ControlKey).
func KafkaBroker(t testing.TB) (config.Kafka, *embedded.Broker) {
	t.Helper()
	c, err := config.Load("", nil)
	if err != nil {
		t.Fatalf("default config: %v", err)
	}
	cfg := c.Kafka
	b, err := embedded.Start(config.Broker{Listen: "127.0.0.1:0"}, cfg.Partitions, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("start kfake: %v", err)
	}
	t.Cleanup(func() { _ = b.Close() })
	cfg.Brokers = []string{b.Addr()}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := kafka.EnsureTopics(ctx, cfg); err != nil {
		t.Fatalf("create topics on kfake: %v", err)
	}
	return cfg, b
}
