package config

import (
	"strings"
	"testing"
	"time"
)

// The processor's allowed lateness must cover what the ingest accepts plus the receive-clock margin, or an
// accepted event can be dead-lettered as late.
func TestAllowedLatenessCoversIngest(t *testing.T) {
	cases := []struct {
		name              string
		maxPast, lateness time.Duration
		skew              time.Duration
		wantErr           bool
	}{
		{"defaults", 168 * time.Hour, 168*time.Hour + 5*time.Minute, 5 * time.Minute, false},
		{"equal to max_past", 168 * time.Hour, 168 * time.Hour, 5 * time.Minute, true},
		{"no skew margin needed", 24 * time.Hour, 24 * time.Hour, 0, false},
		{"shorter", 168 * time.Hour, 24 * time.Hour, 5 * time.Minute, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := Load("", nil)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Ingest.MaxPast, cfg.Processor.AllowedLateness, cfg.Processor.MaxFutureSkew = c.maxPast, c.lateness, c.skew
			err = cfg.Validate()
			if c.wantErr != (err != nil) {
				t.Fatalf("Validate() = %v, want error %v", err, c.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), "processor.allowed_lateness") {
				t.Errorf("error does not name the key: %v", err)
			}
		})
	}
}
