package config

import "time"

// Kafka is how every component reaches the Kafka cluster (the embedded broker by default).
type Kafka struct {
	Brokers           []string      `koanf:"brokers"`
	ClientID          string        `koanf:"client_id"`
	Topics            Topics        `koanf:"topics"`
	Partitions        int           `koanf:"partitions"`         // used when CXM creates the topics
	ReplicationFactor int           `koanf:"replication_factor"` // likewise
	Producer          Producer      `koanf:"producer"`
	Consumer          Consumer      `koanf:"consumer"`
	DialTimeout       time.Duration `koanf:"dial_timeout"`
	// AdminTimeout bounds one metadata or topic-creation request (EnsureTopics, Ping).
	AdminTimeout time.Duration `koanf:"admin_timeout"`
	TLS          KafkaTLS      `koanf:"tls"`
	SASL         KafkaSASL     `koanf:"sasl"`
}

// Topics names the topics CXM uses.
type Topics struct {
	Events     string `koanf:"events"`
	DeadLetter string `koanf:"deadletter"`
}

// Producer tunes kafka-go's Writer.
type Producer struct {
	BatchSize    int           `koanf:"batch_size"`
	BatchBytes   int64         `koanf:"batch_bytes"`
	BatchTimeout time.Duration `koanf:"batch_timeout"`
	Compression  string        `koanf:"compression"` // none | gzip | snappy | lz4 | zstd
	WriteTimeout time.Duration `koanf:"write_timeout"`
	// MaxAttempts is how often a failed batch is sent before Produce reports it failed.
	MaxAttempts int `koanf:"max_attempts"`
}

// Consumer tunes kafka-go's ConsumerGroup and Reader.
type Consumer struct {
	SessionTimeout    time.Duration `koanf:"session_timeout"`    // a member silent this long is evicted
	HeartbeatInterval time.Duration `koanf:"heartbeat_interval"` // well under session_timeout
	RebalanceTimeout  time.Duration `koanf:"rebalance_timeout"`  // how long members get to rejoin
	JoinGroupBackoff  time.Duration `koanf:"join_group_backoff"` // wait before retrying a failed join
	// CommitInterval makes the Reader commit in the background at this period (0 would commit every
	// message synchronously, one round trip each).
	CommitInterval time.Duration `koanf:"commit_interval"`
	MaxWait        time.Duration `koanf:"max_wait"`  // how long the broker holds a fetch waiting for data
	MaxBytes       int           `koanf:"max_bytes"` // bytes one fetch returns at most
}

// Broker is the embedded Kafka-protocol broker of `cxm kafka` and `cxm run`.
type Broker struct {
	Listen  string `koanf:"listen"`
	DataDir string `koanf:"data_dir"`
	// SyncWrites fsyncs every produced batch before it is acknowledged. Without it an acknowledged
	// batch survives a killed process (it is in the OS page cache) but not a power loss or kernel crash.
	SyncWrites bool `koanf:"sync_writes"`
	// Nodes is how many brokers the embedded cluster runs (1: one). The first listens on Listen, the others
	// on free ports of the same host; they share one log (kfake), so a stopped node moves its partitions'
	// leadership to the others, which is what clients must survive.
	Nodes int `koanf:"nodes"`
}

// validate checks the Kafka client and embedded broker settings beyond the basics in validateBase.
func (k *Kafka) validate(c *Config, es *Errors) {
	switch k.Producer.Compression {
	case "none", "gzip", "snappy", "lz4", "zstd":
	default:
		es.add("kafka.producer.compression", "must be none, gzip, snappy, lz4 or zstd, not %q", k.Producer.Compression)
	}
	if c.Broker.Nodes < 1 {
		es.add("broker.nodes", "must be at least 1, got %d", c.Broker.Nodes)
	}
	if k.ReplicationFactor < 1 {
		es.add("kafka.replication_factor", "must be at least 1")
	}
	if k.Producer.BatchSize < 1 {
		es.add("kafka.producer.batch_size", "must be at least 1")
	}
	if k.Producer.BatchBytes < 1024 {
		es.add("kafka.producer.batch_bytes", "must be at least 1024")
	}
	if k.Producer.BatchTimeout <= 0 {
		es.add("kafka.producer.batch_timeout", "must be positive, e.g. 5ms")
	}
	if k.Producer.WriteTimeout <= 0 {
		es.add("kafka.producer.write_timeout", "must be positive, e.g. 10s")
	}
	if k.Producer.MaxAttempts < 1 {
		es.add("kafka.producer.max_attempts", "must be at least 1")
	}
	if k.DialTimeout <= 0 {
		es.add("kafka.dial_timeout", "must be positive, e.g. 5s")
	}
	if k.AdminTimeout <= 0 {
		es.add("kafka.admin_timeout", "must be positive, e.g. 10s")
	}
	cs := k.Consumer
	if cs.SessionTimeout < 6*time.Second {
		// Kafka's default group.min.session.timeout.ms; brokers reject shorter sessions.
		es.add("kafka.consumer.session_timeout", "must be at least 6s")
	}
	if cs.HeartbeatInterval <= 0 || cs.HeartbeatInterval >= cs.SessionTimeout {
		es.add("kafka.consumer.heartbeat_interval", "must be positive and below session_timeout")
	}
	if cs.RebalanceTimeout <= 0 {
		es.add("kafka.consumer.rebalance_timeout", "must be positive, e.g. 10s")
	}
	if cs.JoinGroupBackoff <= 0 {
		es.add("kafka.consumer.join_group_backoff", "must be positive, e.g. 1s")
	}
	if cs.CommitInterval <= 0 {
		es.add("kafka.consumer.commit_interval", "must be positive: 0 commits synchronously per message")
	}
	if cs.MaxWait < 100*time.Millisecond {
		es.add("kafka.consumer.max_wait", "must be at least 100ms")
	}
	if cs.MaxBytes < 1024 {
		es.add("kafka.consumer.max_bytes", "must be at least 1024")
	}
	k.validateSecurity(es)
	if c.Broker.Listen == "" {
		es.add("broker.listen", "must not be empty")
	}
}

// FetchAnswerAllowance is how long a reader waits for a fetch's answer beyond MaxWait. kafka-go gives the
// answer only a quarter of its MaxWait under a second (25 ms at 100 ms): a broker slower than that to
// build a large answer — a busy machine, a partition with megabytes waiting — times the fetch out, and the
// retry asks for the same answer again, so the partition can stall for good. Readers are given MaxWait +
// this, which kafka-go splits into MaxWait for the broker and this for the answer.
const FetchAnswerAllowance = time.Second

// ReaderMaxWait is the MaxWait to give a kafka-go reader for the configured max_wait (see
// FetchAnswerAllowance).
func (c Consumer) ReaderMaxWait() time.Duration { return c.MaxWait + FetchAnswerAllowance }
