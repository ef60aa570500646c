package api

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// params reads the query string strictly: an unknown parameter is an error (a typo such as "locations="
// would otherwise silently select everything), and every error names the parameter.
type params struct {
	v   url.Values
	now time.Time // what "now" means in relative times, one instant for the whole request
}

type paramError struct{ param, reason string }

func (e *paramError) Error() string { return e.param + ": " + e.reason }

func newParams(u *url.URL, allowed ...string) (*params, error) {
	v, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, &paramError{"query", "cannot be parsed: " + err.Error()}
	}
	for k := range v {
		if !slices.Contains(allowed, k) {
			return nil, &paramError{k, "unknown parameter; known: " + strings.Join(allowed, ", ")}
		}
	}
	return &params{v: v, now: time.Now()}, nil
}

// list returns the values of a repeatable parameter; each may also hold a comma-separated list.
func (p *params) list(name string) []string {
	var out []string
	for _, v := range p.v[name] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// one returns a parameter that may appear at most once.
func (p *params) one(name string) (string, error) {
	vs := p.v[name]
	if len(vs) > 1 {
		return "", &paramError{name, "may be given only once"}
	}
	if len(vs) == 0 {
		return "", nil
	}
	return vs[0], nil
}

// timeHelp is the accepted forms of a time parameter, for error messages.
const timeHelp = "RFC 3339 with an offset (2026-11-23T00:00:00Z, 2026-11-23T10:15:30+03:00), " +
	"now, or now-<n><unit> with unit s, m, h, d or w (now-24h, now-7d)"

// time reads an absolute RFC 3339 timestamp with an offset (seconds and fractions allowed), `now`, or a
// time relative to now, `now-24h` (Grafana's syntax: s, m, h, d = 24 h, w = 7 d, and combinations such as
// now-1h30m). It must lie in ClickHouse's DateTime range, 1970..2106.
func (p *params) time(name string, required bool) (time.Time, error) {
	s, err := p.one(name)
	if err != nil {
		return time.Time{}, err
	}
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			return time.Time{}, &paramError{name, "is required: " + timeHelp}
		}
		return time.Time{}, nil
	}
	t, ok := relativeTime(s, p.now)
	if !ok {
		if t, err = time.Parse(time.RFC3339Nano, s); err != nil {
			return time.Time{}, &paramError{name, fmt.Sprintf("must be %s, not %q", timeHelp, s)}
		}
	}
	if t.Unix() < 0 || t.Unix() > 1<<32-1 {
		return time.Time{}, &paramError{name, fmt.Sprintf("%s is outside the range CXM stores, 1970-01-01T00:00:00Z to 2106-02-07T06:28:15Z", t.UTC().Format(time.RFC3339))}
	}
	return t, nil
}

// minute reads a time parameter (see time) truncated to its whole minute, the resolution KPI components
// are stored at: from=10:15:30 and to=11:15:30 ask for [10:15, 11:15), and `now` is the current minute's
// start, so `from=now-1h&to=now` is the last 60 complete minutes.
func (p *params) minute(name string, required bool) (time.Time, error) {
	t, err := p.time(name, required)
	return t.Truncate(time.Minute), err
}

// relativeTime parses now, now-<duration> and now+<duration>; ok is false when s is not one of them.
func relativeTime(s string, now time.Time) (t time.Time, ok bool) {
	rest, found := strings.CutPrefix(s, "now")
	if !found {
		return time.Time{}, false
	}
	if rest == "" {
		return now, true
	}
	sign := time.Duration(1)
	switch rest[0] {
	case '-':
		sign = -1
	case '+':
	default:
		return time.Time{}, false
	}
	d, ok := parseSpan(rest[1:])
	if !ok {
		return time.Time{}, false
	}
	return now.Add(sign * d), true
}

// parseSpan reads a span such as 24h, 7d, 2w or 1h30m: whole numbers with the units s, m, h, d, w.
func parseSpan(s string) (time.Duration, bool) {
	units := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}
	var total time.Duration
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i == len(s) || i > 6 {
			return 0, false
		}
		n, err := strconv.Atoi(s[:i])
		u, known := units[s[i]]
		if err != nil || !known {
			return 0, false
		}
		total += time.Duration(n) * u
		s = s[i+1:]
	}
	return total, total > 0
}

// format reads format= among the allowed values; the first is the default.
func (p *params) format(allowed ...string) (string, error) {
	s, err := p.one("format")
	if err != nil || s == "" {
		return allowed[0], err
	}
	if !slices.Contains(allowed, s) {
		return "", &paramError{"format", fmt.Sprintf("must be one of %s, not %q", strings.Join(allowed, ", "), s)}
	}
	return s, nil
}
