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
	// Cluster names the <remote_servers> cluster the servers of Addr belong to ("" for one server): `cxm
	// migrate` then creates the replicated and distributed tables ON CLUSTER, and the processor writes its
	// marks with a quorum and reads them with sequential consistency (deploy/README.md, section 3).
	Cluster string `koanf:"cluster"`
	// InsertQuorum is the insert_quorum of the processor's writes on a cluster: how many replicas of a shard
	// must hold a write before it is acknowledged.
	InsertQuorum int `koanf:"insert_quorum"`
}
