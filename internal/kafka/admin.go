package kafka

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/internal/config"
)

// batchHeadroom is what a record batch may add to the messages kafka-go counted against BatchBytes (batch
// header, per-record varints): the topics CXM creates accept any batch its producer builds.
const batchHeadroom = 64 << 10

// TopicConfigs are the settings of the topics CXM creates. max.message.bytes admits any batch the producer
// builds. min.insync.replicas is the replication factor - 1 when that is at least 2: the producer's
// acks=all then means an acknowledged batch is on at least two brokers, while one broker may be down
// without stopping writes. With a factor below 3 the broker's default stays (one replica can acknowledge).
func TopicConfigs(cfg config.Kafka) []kafkago.ConfigEntry {
	entries := []kafkago.ConfigEntry{{ConfigName: "max.message.bytes", ConfigValue: strconv.FormatInt(cfg.Producer.BatchBytes+batchHeadroom, 10)}}
	if isr := cfg.ReplicationFactor - 1; isr >= 2 {
		entries = append(entries, kafkago.ConfigEntry{ConfigName: "min.insync.replicas", ConfigValue: strconv.Itoa(isr)})
	}
	return entries
}

// EnsureTopics creates the events and dead-letter topics with cfg.Partitions and cfg.ReplicationFactor when
// they are missing. Existing topics are left as they are (their partition count is not changed, since that
// would move locations to other partitions). It is safe to call at every start and concurrently.
func EnsureTopics(ctx context.Context, cfg config.Kafka) error {
	return CreateTopics(ctx, cfg, cfg.Topics.Events, cfg.Topics.DeadLetter)
}

// CreateTopics is EnsureTopics for any topics, with the same settings.
func CreateTopics(ctx context.Context, cfg config.Kafka, topics ...string) error {
	c, closeClient, err := client(cfg)
	if err != nil {
		return err
	}
	defer closeClient()
	ctx, cancel := adminContext(ctx, cfg)
	defer cancel()
	req := &kafkago.CreateTopicsRequest{}
	for _, t := range topics {
		req.Topics = append(req.Topics, kafkago.TopicConfig{
			Topic:             t,
			NumPartitions:     cfg.Partitions,
			ReplicationFactor: cfg.ReplicationFactor,
			ConfigEntries:     TopicConfigs(cfg),
		})
	}
	res, err := c.CreateTopics(ctx, req)
	if err != nil {
		return fmt.Errorf("kafka: create topics at %v: %w", cfg.Brokers, Explain(cfg, err))
	}
	var errs []error
	for _, t := range topics {
		if err := res.Errors[t]; err != nil && !errors.Is(err, kafkago.TopicAlreadyExists) {
			errs = append(errs, fmt.Errorf("kafka: create topic %s: %w", t, err))
		}
	}
	return errors.Join(errs...)
}

// Ping asks the cluster for the metadata of the events and dead-letter topics: it fails when no broker
// answers or a topic is missing, which is what a producer or consumer would run into.
func Ping(ctx context.Context, cfg config.Kafka) error {
	c, closeClient, err := client(cfg)
	if err != nil {
		return err
	}
	defer closeClient()
	ctx, cancel := adminContext(ctx, cfg)
	defer cancel()
	topics := []string{cfg.Topics.Events, cfg.Topics.DeadLetter}
	md, err := c.Metadata(ctx, &kafkago.MetadataRequest{Topics: topics})
	if err != nil {
		return fmt.Errorf("kafka: brokers %v unreachable: %w", cfg.Brokers, Explain(cfg, err))
	}
	found := map[string]bool{}
	for _, t := range md.Topics {
		if t.Error != nil {
			return fmt.Errorf("kafka: topic %s: %w", t.Name, t.Error)
		}
		found[t.Name] = len(t.Partitions) > 0
	}
	for _, t := range topics {
		if !found[t] {
			return fmt.Errorf("kafka: topic %s does not exist", t)
		}
	}
	return nil
}

func client(cfg config.Kafka) (*kafkago.Client, func(), error) {
	t, err := Transport(cfg)
	if err != nil {
		return nil, nil, err
	}
	return &kafkago.Client{Addr: kafkago.TCP(cfg.Brokers...), Timeout: cfg.AdminTimeout, Transport: t},
		t.CloseIdleConnections, nil
}

// adminContext bounds a request by cfg.AdminTimeout, also when the caller's ctx has no deadline.
func adminContext(ctx context.Context, cfg config.Kafka) (context.Context, context.CancelFunc) {
	if cfg.AdminTimeout > 0 {
		return context.WithTimeout(ctx, cfg.AdminTimeout)
	}
	return context.WithCancel(ctx)
}
