package kafka

import (
	"fmt"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/internal/config"
)

// NewConsumerGroup joins groupID for topics. A group that has no committed offset starts at the first
// offset, so nothing written before the first start is skipped.
//
// Offsets are committed only by the caller, with Generation.CommitOffsets, and only for the partitions
// named in that call: commit every partition the generation assigned (the offset after the last message
// processed), or a rebalance hands the others to a member that re-reads them.
func NewConsumerGroup(cfg config.Kafka, groupID string, topics ...string) (*kafkago.ConsumerGroup, error) {
	c := cfg.Consumer
	d, err := Dialer(cfg)
	if err != nil {
		return nil, err
	}
	g, err := kafkago.NewConsumerGroup(kafkago.ConsumerGroupConfig{
		ID:                    groupID,
		Brokers:               cfg.Brokers,
		Dialer:                d,
		Topics:                topics,
		HeartbeatInterval:     c.HeartbeatInterval,
		SessionTimeout:        c.SessionTimeout,
		RebalanceTimeout:      c.RebalanceTimeout,
		JoinGroupBackoff:      c.JoinGroupBackoff,
		WatchPartitionChanges: true,
		StartOffset:           kafkago.FirstOffset,
		Timeout:               cfg.AdminTimeout,
	})
	if err != nil {
		return nil, fmt.Errorf("kafka: consumer group %s: %w", groupID, err)
	}
	return g, nil
}

// NewReader is a group member reading topic for simple consumers. It commits in the background every
// cfg.Consumer.CommitInterval (kafka-go would otherwise commit synchronously, one round trip per
// CommitMessages call) and on Close; after a crash up to one interval of messages is read again.
func NewReader(cfg config.Kafka, groupID, topic string) (*kafkago.Reader, error) {
	c := cfg.Consumer
	d, err := Dialer(cfg)
	if err != nil {
		return nil, err
	}
	rc := kafkago.ReaderConfig{
		Brokers:               cfg.Brokers,
		GroupID:               groupID,
		Topic:                 topic,
		Dialer:                d,
		MinBytes:              1,
		MaxBytes:              c.MaxBytes,
		MaxWait:               c.ReaderMaxWait(), // the broker waits max_wait, the answer gets a second more
		HeartbeatInterval:     c.HeartbeatInterval,
		CommitInterval:        c.CommitInterval,
		SessionTimeout:        c.SessionTimeout,
		RebalanceTimeout:      c.RebalanceTimeout,
		JoinGroupBackoff:      c.JoinGroupBackoff,
		WatchPartitionChanges: true,
		StartOffset:           kafkago.FirstOffset,
	}
	// kafka-go panics on an invalid config; an error is what the caller can report.
	if err := rc.Validate(); err != nil {
		return nil, fmt.Errorf("kafka: reader %s on %s: %w", groupID, topic, err)
	}
	return kafkago.NewReader(rc), nil
}
