package config

import "time"

// Simulate configures `cxm simulate`, the generator of realistic store traffic.
type Simulate struct {
	Target    string        `koanf:"target"`    // ingest base URL
	Token     string        `koanf:"token"`     // write token used by the simulator
	Speed     float64       `koanf:"speed"`     // simulated seconds per real second
	Seed      int64         `koanf:"seed"`      // 0 = random
	Interval  time.Duration `koanf:"interval"`  // how often a batch is sent
	Locations int           `koanf:"locations"` // stores to simulate when the registry is empty
}
