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
	DialTimeout       time.Duration `koanf:"dial_timeout"`
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
}

// Broker is the embedded Kafka-protocol broker of `cxm kafka` and `cxm run`.
type Broker struct {
	Listen  string `koanf:"listen"`
	DataDir string `koanf:"data_dir"`
}
