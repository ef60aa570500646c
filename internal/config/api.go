package config

import (
	"time"
)

// API configures the read API (`cxm api`, and the API part of `cxm run`): its read tokens and the limits
// every query runs under.
type API struct {
	// Tokens are the read tokens. They are separate from the ingest's write tokens: a token that may push
	// events for a store cannot read its figures, and the other way round.
	Tokens []APIToken `koanf:"tokens"`
	// QueryTimeout bounds one KPI or status query (also sent to ClickHouse as max_execution_time).
	QueryTimeout time.Duration `koanf:"query_timeout"`
	// ExportTimeout bounds one raw-event export, which streams and may legitimately run longer.
	ExportTimeout time.Duration `koanf:"export_timeout"`
	// MaxPoints caps the points (series x buckets) of one KPI answer.
	MaxPoints int64 `koanf:"max_points"`
	// MaxRows caps the stored rows one KPI statement may read (ClickHouse max_rows_to_read).
	MaxRows int64 `koanf:"max_rows"`
	// MaxRange caps to - from of one request.
	MaxRange time.Duration `koanf:"max_range"`
	// MaxLocations caps the locations one request selects.
	MaxLocations int `koanf:"max_locations"`
	// MaxExportRows caps the events one export streams.
	MaxExportRows int64 `koanf:"max_export_rows"`
	// RetryAfter is the Retry-After of a 503 while ClickHouse cannot be reached.
	RetryAfter time.Duration `koanf:"retry_after"`
}

// APIToken is one read token, in the same form as the ingest's write tokens (IngestToken): a name for logs,
// the SHA-256 of the secret as "sha256:<hex>" (`cxm token new` prints it), and the locations it may read,
// or all.
type APIToken struct {
	Name      string   `koanf:"name"`
	Hash      string   `koanf:"hash"`
	Locations []string `koanf:"locations"`
	All       bool     `koanf:"all"`
}

func (a *API) validate(c *Config, es *Errors) {
	if a.QueryTimeout <= 0 {
		es.add("api.query_timeout", "must be positive, e.g. 10s")
	}
	if a.ExportTimeout <= 0 {
		es.add("api.export_timeout", "must be positive, e.g. 10m")
	}
	if a.MaxPoints < 1 {
		es.add("api.max_points", "must be at least 1")
	}
	if a.MaxRows < 1 {
		es.add("api.max_rows", "must be at least 1")
	}
	if a.MaxRange < time.Minute {
		es.add("api.max_range", "must be at least 1m")
	}
	if a.MaxLocations < 1 {
		es.add("api.max_locations", "must be at least 1")
	}
	if a.MaxExportRows < 1 {
		es.add("api.max_export_rows", "must be at least 1")
	}
	if a.RetryAfter < time.Second {
		es.add("api.retry_after", "must be at least 1s")
	}
	entries := make([]tokenEntry, len(a.Tokens))
	for i, t := range a.Tokens {
		entries[i] = t.entry()
	}
	validateTokens(c, es, "api.tokens", "read", entries)
}

// apiDefaults are the defaults of the api section, keyed "api.…".
func apiDefaults() map[string]any {
	return map[string]any{
		"api.query_timeout":   10 * time.Second,
		"api.export_timeout":  10 * time.Minute,
		"api.max_points":      int64(100_000),
		"api.max_rows":        int64(200_000_000),
		"api.max_range":       366 * 24 * time.Hour,
		"api.max_locations":   5000,
		"api.max_export_rows": int64(50_000_000),
		"api.retry_after":     5 * time.Second,
	}
}
