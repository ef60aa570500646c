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
	MaxWait        time.Duration `koanf:"max_wait"`  // how long a fetch waits for data
	MaxBytes       int           `koanf:"max_bytes"` // bytes one fetch returns at most
}

// Broker is the embedded Kafka-protocol broker of `cxm kafka` and `cxm run`.
type Broker struct {
	Listen  string `koanf:"listen"`
	DataDir string `koanf:"data_dir"`
	// SyncWrites fsyncs every produced batch before it is acknowledged. Without it an acknowledged
	// batch survives a killed process (it is in the OS page cache) but not a power loss or kernel crash.
	SyncWrites bool `koanf:"sync_writes"`
}
