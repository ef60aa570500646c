package plugin

import (
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/query"
)

func TestChooseStep(t *testing.T) {
	t0 := at("2026-11-23T00:00:00Z")
	tests := []struct {
		name      string
		interval  time.Duration
		rng       time.Duration
		maxPoints int64
		want      query.Step
	}{
		{"interval below a minute", 10 * time.Second, time.Hour, 1000, query.Step{Minutes: 1}},
		{"interval rounds up to a nice step", 3 * time.Minute, time.Hour, 1000, query.Step{Minutes: 5}},
		{"max data points bound it", time.Minute, 24 * time.Hour, 100, query.Step{Minutes: 15}},
		{"hours", 50 * time.Minute, 24 * time.Hour, 1000, query.Step{Minutes: 60}},
		{"a day", 13 * time.Hour, 30 * 24 * time.Hour, 1000, query.Step{Days: 1}},
		{"weeks past a week", 9 * 24 * time.Hour, 365 * 24 * time.Hour, 1000, query.Step{Days: 14}},
		{"no max data points", time.Minute, 24 * time.Hour, 0, query.Step{Minutes: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ChooseStep(tt.interval, t0, t0.Add(tt.rng), tt.maxPoints); got != tt.want {
				t.Errorf("ChooseStep = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestMinuteRange(t *testing.T) {
	tests := []struct{ from, to, wantFrom, wantTo string }{
		{"2026-11-23T10:00:00Z", "2026-11-23T11:00:00Z", "2026-11-23T10:00:00Z", "2026-11-23T11:00:00Z"},
		{"2026-11-23T10:00:30Z", "2026-11-23T10:59:01Z", "2026-11-23T10:00:00Z", "2026-11-23T11:00:00Z"},
	}
	for _, tt := range tests {
		f, to := minuteRange(at(tt.from), at(tt.to))
		if !f.Equal(at(tt.wantFrom)) || !to.Equal(at(tt.wantTo)) {
			t.Errorf("minuteRange(%s, %s) = %s, %s", tt.from, tt.to, f, to)
		}
	}
}
