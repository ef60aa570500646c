// Package kafka is CXM's only way to the Kafka protocol: the producer, the consumer-group helpers, topic
// creation and the dead-letter message format, all on github.com/segmentio/kafka-go.
//
// The events topic is keyed by location: the producer hashes the key with murmur2, the hash the Java client
// uses, so one location always lands in one partition (its order is kept) and any Kafka client that also
// partitions by murmur2 agrees with CXM on where a location lives. librdkafka (kcat) defaults to crc32:
// give it -X partitioner=murmur2_random to write events for a location to the same partition.
package kafka

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/internal/config"
)

// Dialer is the kafka-go Dialer for the Reader and ConsumerGroup, which dial brokers themselves rather than
// through a Transport. It carries kafka.tls and kafka.sasl; the error is a TLS file that cannot be used.
func Dialer(cfg config.Kafka) (*kafkago.Dialer, error) {
	tc, m, err := security(cfg)
	if err != nil {
		return nil, err
	}
	return &kafkago.Dialer{
		ClientID:      cfg.ClientID,
		Timeout:       cfg.DialTimeout,
		DualStack:     true,
		TLS:           tc,
		SASLMechanism: m,
	}, nil
}

// Transport is the kafka-go Transport for the Writer and Client. Each caller gets its own, so closing one
// component's idle connections never cuts another's. It carries kafka.tls and kafka.sasl like Dialer.
func Transport(cfg config.Kafka) (*kafkago.Transport, error) {
	tc, m, err := security(cfg)
	if err != nil {
		return nil, err
	}
	return &kafkago.Transport{
		ClientID:    cfg.ClientID,
		DialTimeout: cfg.DialTimeout,
		// kafka-go's default TTL: how soon a producer sees partitions added to a topic.
		MetadataTTL: 6 * time.Second,
		TLS:         tc,
		SASL:        m,
	}, nil
}

// Compression maps the config's name to kafka-go's codec; "none" (or empty) is no compression.
func Compression(name string) (kafkago.Compression, error) {
	switch strings.ToLower(name) {
	case "", "none":
		return 0, nil
	case "gzip":
		return kafkago.Gzip, nil
	case "snappy":
		return kafkago.Snappy, nil
	case "lz4":
		return kafkago.Lz4, nil
	case "zstd":
		return kafkago.Zstd, nil
	}
	return 0, fmt.Errorf("kafka: unknown compression %q (none, gzip, snappy, lz4, zstd)", name)
}

// ErrorLogger routes kafka-go's error log of a component (a reader, a writer) into log.
func ErrorLogger(log *slog.Logger, component string) kafkago.Logger {
	return errorLogger(log, component)
}

// errorLogger routes kafka-go's error log into slog; kafka-go's info log is per request and stays off.
func errorLogger(log *slog.Logger, component string) kafkago.Logger {
	if log == nil {
		return nil
	}
	return kafkago.LoggerFunc(func(msg string, args ...any) {
		log.Warn("kafka-go "+component, "msg", fmt.Sprintf(msg, args...))
	})
}
