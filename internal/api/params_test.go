package api

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestTimeParam(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 15, 42, 500_000_000, time.UTC)
	for _, tc := range []struct {
		in      string
		want    time.Time // of time
		minute  time.Time // of minute
		errPart string    // in the error's reason; "" for no error
	}{
		{"2026-11-23T00:00:00Z", time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), ""},
		{"2026-11-23T10:15:30+03:00", time.Date(2026, 11, 23, 7, 15, 30, 0, time.UTC), time.Date(2026, 11, 23, 7, 15, 0, 0, time.UTC), ""},
		{"2026-11-23T10:15:30.25Z", time.Date(2026, 11, 23, 10, 15, 30, 250_000_000, time.UTC), time.Date(2026, 11, 23, 10, 15, 0, 0, time.UTC), ""},
		{"now", now, time.Date(2026, 11, 23, 10, 15, 0, 0, time.UTC), ""},
		{"now-24h", now.Add(-24 * time.Hour), time.Date(2026, 11, 22, 10, 15, 0, 0, time.UTC), ""},
		{"now-7d", now.Add(-7 * 24 * time.Hour), time.Date(2026, 11, 16, 10, 15, 0, 0, time.UTC), ""},
		{"now-2w", now.Add(-14 * 24 * time.Hour), time.Date(2026, 11, 9, 10, 15, 0, 0, time.UTC), ""},
		{"now-1h30m", now.Add(-90 * time.Minute), time.Date(2026, 11, 23, 8, 45, 0, 0, time.UTC), ""},
		{"now+5m", now.Add(5 * time.Minute), time.Date(2026, 11, 23, 10, 20, 0, 0, time.UTC), ""},
		{" now-15m ", now.Add(-15 * time.Minute), time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), ""},
		{"0001-01-01T00:00:00Z", time.Time{}, time.Time{}, "outside the range CXM stores"},
		{"2200-01-01T00:00:00Z", time.Time{}, time.Time{}, "outside the range CXM stores"},
		{"yesterday", time.Time{}, time.Time{}, "now-<n><unit>"},
		{"now-3y", time.Time{}, time.Time{}, "now-<n><unit>"},
		{"now-", time.Time{}, time.Time{}, "now-<n><unit>"},
		{"now-h", time.Time{}, time.Time{}, "now-<n><unit>"},
		{"now-0h", time.Time{}, time.Time{}, "now-<n><unit>"},
		{"nowish", time.Time{}, time.Time{}, "now-<n><unit>"},
		{"2026-11-23T10:15:30", time.Time{}, time.Time{}, "RFC 3339 with an offset"},
		{"1700000000", time.Time{}, time.Time{}, "RFC 3339 with an offset"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			p, err := newParams(&url.URL{RawQuery: "from=" + url.QueryEscape(tc.in)}, "from")
			if err != nil {
				t.Fatal(err)
			}
			p.now = now
			got, err := p.time("from", true)
			if tc.errPart != "" {
				pe, ok := err.(*paramError)
				if !ok || pe.param != "from" || !strings.Contains(pe.reason, tc.errPart) {
					t.Fatalf("error %v, want one on from saying %q", err, tc.errPart)
				}
				return
			}
			if err != nil || !got.Equal(tc.want) {
				t.Fatalf("time %v %v, want %v", got, err, tc.want)
			}
			if m, err := p.minute("from", true); err != nil || !m.Equal(tc.minute) {
				t.Errorf("minute %v %v, want %v", m, err, tc.minute)
			}
		})
	}
	p, _ := newParams(&url.URL{}, "from")
	if _, err := p.time("from", true); err == nil || !strings.Contains(err.Error(), "is required") {
		t.Errorf("missing from: %v", err)
	}
}
