package kafka_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cxm-project/cxm/internal/kafka"
	"github.com/cxm-project/cxm/internal/testutil"
)

// BenchmarkProduce is the baseline the ingest API is compared with: direct kafka-go writes of 1,000-message
// batches of ~300-byte events, acks=all, lz4, to an in-process kfake. One op is one batch.
func BenchmarkProduce(b *testing.B) {
	cfg := testutil.Kafka(b)
	msgs := events(b, 1000, 20)
	// Pad each event to ~300 bytes with an ext object, the size of a typical POS or survey event.
	var size int
	for i := range msgs {
		if pad := 300 - len(msgs[i].Value); pad > 20 {
			v := strings.TrimSuffix(string(msgs[i].Value), "}")
			msgs[i].Value = []byte(v + `,"ext":{"pad":"` + strings.Repeat("p", pad-12) + `"}}`)
		}
		size += len(msgs[i].Value)
	}
	p := kafka.NewProducer(cfg, cfg.Topics.Events, nil, nil)
	defer p.Close()
	ctx := context.Background()
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Produce(ctx, msgs...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*float64(len(msgs))/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(size)/float64(len(msgs)), "B/msg")
}
