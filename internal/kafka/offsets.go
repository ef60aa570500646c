package kafka

import (
	"context"
	"fmt"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/internal/config"
)

// EndOffsets returns each partition's end offset (the offset the next message will get) of the topic.
func EndOffsets(ctx context.Context, cfg config.Kafka, topic string, partitions []int) (map[int]int64, error) {
	c, closeIdle, err := client(cfg)
	if err != nil {
		return nil, err
	}
	defer closeIdle()
	ctx, cancel := adminContext(ctx, cfg)
	defer cancel()
	reqs := make([]kafkago.OffsetRequest, len(partitions))
	for i, p := range partitions {
		reqs[i] = kafkago.LastOffsetOf(p)
	}
	resp, err := c.ListOffsets(ctx, &kafkago.ListOffsetsRequest{Topics: map[string][]kafkago.OffsetRequest{topic: reqs}})
	if err != nil {
		return nil, fmt.Errorf("kafka: end offsets of %s: %w", topic, Explain(cfg, err))
	}
	out := make(map[int]int64, len(partitions))
	for _, po := range resp.Topics[topic] {
		if po.Error != nil {
			return nil, fmt.Errorf("kafka: end offset of %s/%d: %w", topic, po.Partition, po.Error)
		}
		out[po.Partition] = po.LastOffset
	}
	for _, p := range partitions {
		if _, ok := out[p]; !ok {
			return nil, fmt.Errorf("kafka: no end offset for %s/%d", topic, p)
		}
	}
	return out, nil
}

// PartitionBounds returns one partition's first offset (the oldest message retention kept) and end offset.
func PartitionBounds(ctx context.Context, cfg config.Kafka, topic string, partition int) (first, end int64, err error) {
	c, closeIdle, err := client(cfg)
	if err != nil {
		return 0, 0, err
	}
	defer closeIdle()
	ctx, cancel := adminContext(ctx, cfg)
	defer cancel()
	resp, err := c.ListOffsets(ctx, &kafkago.ListOffsetsRequest{Topics: map[string][]kafkago.OffsetRequest{
		topic: {kafkago.FirstOffsetOf(partition), kafkago.LastOffsetOf(partition)}}})
	if err != nil {
		return 0, 0, fmt.Errorf("kafka: offsets of %s/%d: %w", topic, partition, Explain(cfg, err))
	}
	for _, po := range resp.Topics[topic] {
		if po.Partition != partition {
			continue
		}
		if po.Error != nil {
			return 0, 0, fmt.Errorf("kafka: offsets of %s/%d: %w", topic, partition, po.Error)
		}
		return po.FirstOffset, po.LastOffset, nil
	}
	return 0, 0, fmt.Errorf("kafka: no offsets for %s/%d", topic, partition)
}
