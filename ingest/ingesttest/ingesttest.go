// Package ingesttest has the ingest tests' helpers: a config pointed at a test broker and a reader of
// everything a topic holds.
package ingesttest

import (
	"context"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kafka"
)

// Locations is the registry of the tests.
var Locations = []config.Location{{ID: "shop-1", Name: "Shop 1"}, {ID: "shop-2", Name: "Shop 2"}, {ID: "clinic-1", Name: "Clinic 1"}, {ID: "web", Name: "Web"}}

// Config is the default config with the test registry and brokers.
func Config(t testing.TB, k config.Kafka) *config.Config {
	t.Helper()
	cfg, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Kafka = k
	cfg.Locations = Locations
	return cfg
}

// ReadAll returns every message of the topic, partition by partition, up to the end offsets at the call.
func ReadAll(t testing.TB, k config.Kafka, topic string) []kafkago.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d, err := kafka.Dialer(k)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := d.DialContext(ctx, "tcp", k.Brokers[0])
	if err != nil {
		t.Fatal(err)
	}
	parts, err := conn.ReadPartitions(topic)
	conn.Close()
	if err != nil {
		t.Fatal(err)
	}
	var out []kafkago.Message
	for _, p := range parts {
		lc, err := d.DialLeader(ctx, "tcp", k.Brokers[0], topic, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		first, err1 := lc.ReadFirstOffset()
		end, err2 := lc.ReadLastOffset()
		lc.Close()
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if end <= first {
			continue
		}
		r := kafkago.NewReader(kafkago.ReaderConfig{Brokers: k.Brokers, Topic: topic, Partition: p.ID, Dialer: d, MaxWait: k.Consumer.ReaderMaxWait()})
		if err := r.SetOffset(first); err != nil {
			t.Fatal(err)
		}
		for {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				t.Fatalf("read %s/%d: %v", topic, p.ID, err)
			}
			out = append(out, m)
			if m.Offset+1 >= end {
				break
			}
		}
		r.Close()
	}
	return out
}
