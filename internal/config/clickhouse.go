package config

import "time"

// ClickHouse is the native-protocol connection.
type ClickHouse struct {
	Addr         []string      `koanf:"addr"`
	Database     string        `koanf:"database"`
	Username     string        `koanf:"username"`
	Password     string        `koanf:"password"`
	DialTimeout  time.Duration `koanf:"dial_timeout"`
	ReadTimeout  time.Duration `koanf:"read_timeout"`
	MaxOpenConns int           `koanf:"max_open_conns"`
	TLS          bool          `koanf:"tls"`
	// EventsTTL deletes raw events this long after their event time (0: keep forever). Needs ClickHouse
	// 19.6+; applied by `cxm migrate`.
	EventsTTL time.Duration `koanf:"events_ttl"`
}
