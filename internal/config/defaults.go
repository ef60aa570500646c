package config

import (
	"time"

	"github.com/knadh/koanf/providers/confmap"
)

// Defaults run locally with nothing else configured: everything on loopback.
var Defaults = map[string]any{
	"log.level":                    "info",
	"log.format":                   "text",
	"http.listen":                  "127.0.0.1:8080",
	"http.shutdown_timeout":        10 * time.Second,
	"kafka.brokers":                []string{"127.0.0.1:9092"},
	"kafka.client_id":              "cxm",
	"kafka.topics.events":          "cxm.events",
	"kafka.topics.deadletter":      "cxm.deadletter",
	"kafka.partitions":             12,
	"kafka.replication_factor":     1,
	"kafka.dial_timeout":           5 * time.Second,
	"kafka.producer.batch_size":    1000,
	"kafka.producer.batch_bytes":   int64(4 << 20),
	"kafka.producer.batch_timeout": 5 * time.Millisecond,
	"kafka.producer.compression":   "lz4",
	"kafka.producer.write_timeout": 10 * time.Second,
	"broker.listen":                "127.0.0.1:9092",
	"broker.data_dir":              "run/kafka",
	"broker.nodes":                 1,
	"clickhouse.addr":              []string{"127.0.0.1:9000"},
	"clickhouse.database":          "cxm",
	"clickhouse.username":          "default",
	"clickhouse.password":          "",
	"clickhouse.dial_timeout":      5 * time.Second,
	"clickhouse.read_timeout":      30 * time.Second,
	"clickhouse.max_open_conns":    8,
	"clickhouse.cluster":           "",
	"clickhouse.insert_quorum":     2,
	"simulate.target":              "http://127.0.0.1:8080",
	"simulate.speed":               1.0,
	"simulate.seed":                int64(1),
	"simulate.backfill":            6 * time.Hour,
	"simulate.interval":            time.Second,
	"simulate.locations":           20,

	// Kafka client and embedded broker limits beyond the basics above.
	"kafka.producer.max_attempts":       10,
	"kafka.admin_timeout":               10 * time.Second,
	"kafka.consumer.session_timeout":    10 * time.Second,
	"kafka.consumer.heartbeat_interval": 3 * time.Second,
	"kafka.consumer.rebalance_timeout":  10 * time.Second,
	"kafka.consumer.join_group_backoff": time.Second,
	"kafka.consumer.commit_interval":    time.Second,
	"kafka.consumer.max_wait":           500 * time.Millisecond,
	"kafka.consumer.max_bytes":          10 << 20,
	"broker.sync_writes":                true,
}

// defaultsProvider merges the base defaults with each section's own (kept beside the section's type).
func defaultsProvider() *confmap.Confmap {
	all := map[string]any{}
	for _, m := range []map[string]any{Defaults, ingestDefaults(), processorDefaults(), kpiDefaults(), apiDefaults(), securityDefaults(), consoleDefaults(), casesDefaults(), reasonsDefaults(), objstoreDefaults(), auditsDefaults()} {
		for k, v := range m {
			all[k] = v
		}
	}
	return confmap.Provider(all, ".")
}
