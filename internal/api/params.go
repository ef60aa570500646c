package api

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// params reads the query string strictly: an unknown parameter is an error (a typo such as "locations="
// would otherwise silently select everything), and every error names the parameter.
type params struct {
	v url.Values
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
	return &params{v: v}, nil
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

// time reads an RFC 3339 timestamp with an offset.
func (p *params) time(name string, required bool) (time.Time, error) {
	s, err := p.one(name)
	if err != nil {
		return time.Time{}, err
	}
	if s == "" {
		if required {
			return time.Time{}, &paramError{name, "is required (RFC 3339, e.g. 2026-11-23T00:00:00Z)"}
		}
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, &paramError{name, fmt.Sprintf("must be RFC 3339 with an offset, e.g. 2026-11-23T00:00:00Z, not %q", s)}
	}
	return t, nil
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
