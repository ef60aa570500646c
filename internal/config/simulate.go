package config

import "time"

// Simulate configures `cxm simulate`, the generator of realistic store traffic.
type Simulate struct {
	Target    string        `koanf:"target"`    // ingest base URL
	Token     string        `koanf:"token"`     // write token used by the simulator
	Speed     float64       `koanf:"speed"`     // simulated seconds per real second
	Seed      int64         `koanf:"seed"`      // shapes the stores' profiles; the same seed, the same stores
	Backfill  time.Duration `koanf:"backfill"`  // history sent at start, so dashboards are not empty
	Interval  time.Duration `koanf:"interval"`  // how often a batch is sent
	Locations int           `koanf:"locations"` // stores to simulate when the registry is empty
}
