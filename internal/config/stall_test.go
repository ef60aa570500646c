package config

import "testing"

// TestReaderStallTimeout: a stall timeout that a fetch may legitimately take (max_wait plus the answer's
// allowance) is refused, naming processor.reader_stall_timeout.
func TestReaderStallTimeout(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		refused    bool
	}{
		{"defaults", "", false},
		{"below max_wait", "processor:\n  reader_stall_timeout: 400ms\n", true},
		{"within the answer's allowance", "processor:\n  reader_stall_timeout: 1500ms\n", true},
		{"just above a fetch", "processor:\n  reader_stall_timeout: 1600ms\n", false},
		{"longer fetch wait", "kafka:\n  consumer:\n    max_wait: 5s\nprocessor:\n  reader_stall_timeout: 5s\n", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			named, err := refusedOn(t, tc.yaml, "processor.reader_stall_timeout", "max_wait")
			if named != tc.refused {
				t.Errorf("refused = %v (%v), want %v", named, err, tc.refused)
			}
		})
	}
}
