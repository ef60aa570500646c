package config

import "testing"

// TestFencingTimings: timings that would leave a healthy member no time to write under its lease are
// refused, naming processor.fence_margin; those that leave a second are accepted.
func TestFencingTimings(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		refused    bool
	}{
		{"defaults", "", false},
		{"no margin", "processor:\n  fence_margin: 0s\n", true},
		{"heartbeat too slow for the session", "kafka:\n  consumer:\n    session_timeout: 6s\n    heartbeat_interval: 5s\n", true},
		{"rebalance timeout shortens the lease", "kafka:\n  consumer:\n    rebalance_timeout: 4s\n    heartbeat_interval: 3s\nprocessor:\n  write_timeout: 3s\n", true},
		{"margin eats the lease", "processor:\n  fence_margin: 7s\n", true},
		{"tight but workable", "kafka:\n  consumer:\n    session_timeout: 6s\n    heartbeat_interval: 1s\nprocessor:\n  fence_margin: 4s\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			named, err := refusedOn(t, tc.yaml, "processor.fence_margin", "lease", "positive")
			if named != tc.refused {
				t.Errorf("refused = %v (%v), want %v", named, err, tc.refused)
			}
		})
	}
}
