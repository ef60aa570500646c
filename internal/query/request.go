package query

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cxm-project/cxm/internal/kpi"
)

// Group says how locations are combined into series.
type Group string

const (
	// GroupLocation gives one series per location and KPI (the default).
	GroupLocation Group = "location"
	// GroupRegion gives one series per region and KPI, from the summed components of its locations.
	GroupRegion Group = "region"
	// GroupAll gives one series per KPI, from the summed components of every selected location.
	GroupAll Group = "all"
)

// Step is the width of a time bucket: a whole number of minutes below a day, or of calendar days in the
// series' time zone (a Moscow day is 21:00Z..21:00Z; a day with a DST change is 23 or 25 hours long).
// The zero Step means one bucket for the whole range.
type Step struct {
	Minutes int // 1..1439 when set
	Days    int // >= 1 when set
}

// IsZero reports whether the step is "the whole range".
func (s Step) IsZero() bool { return s.Minutes == 0 && s.Days == 0 }

// String is the canonical form ParseStep accepts: "5m", "1h", "90m", "1d", "7d".
func (s Step) String() string {
	switch {
	case s.Days > 0:
		return strconv.Itoa(s.Days) + "d"
	case s.Minutes > 0 && s.Minutes%60 == 0:
		return strconv.Itoa(s.Minutes/60) + "h"
	case s.Minutes > 0:
		return strconv.Itoa(s.Minutes) + "m"
	}
	return ""
}

// seconds is the width of a sub-day step.
func (s Step) seconds() int64 { return int64(s.Minutes) * 60 }

// ParseStep reads "<n>m", "<n>h", "<n>d" or "<n>w" (7 days). Sub-day steps must be whole minutes; a step
// of 24 hours or more must be whole days, so that day buckets follow the calendar of the time zone rather
// than drifting by an hour across DST changes.
func ParseStep(s string) (Step, error) {
	if len(s) < 2 {
		return Step{}, fmt.Errorf("must be a number and a unit m, h, d or w (e.g. 5m, 1h, 1d), not %q", s)
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n < 1 {
		return Step{}, fmt.Errorf("must be a positive whole number and a unit m, h, d or w (e.g. 5m, 1h, 1d), not %q", s)
	}
	var st Step
	switch s[len(s)-1] {
	case 'm':
		st.Minutes = n
	case 'h':
		if n > 1<<20 {
			return Step{}, fmt.Errorf("is too large: %q", s)
		}
		st.Minutes = n * 60
	case 'd':
		st.Days = n
	case 'w':
		if n > 1<<20 {
			return Step{}, fmt.Errorf("is too large: %q", s)
		}
		st.Days = 7 * n
	default:
		return Step{}, fmt.Errorf("unit must be m, h, d or w (e.g. 5m, 1h, 1d), not %q", s)
	}
	if st.Minutes >= 24*60 {
		if st.Minutes%(24*60) != 0 {
			return Step{}, fmt.Errorf("a step of a day or more must be whole days (e.g. 1d, 7d), not %q", s)
		}
		st = Step{Days: st.Minutes / (24 * 60)}
	}
	return st, nil
}

// Request is one KPI query. The zero values mean: every location the scope allows, one series per location,
// the whole range as one point.
type Request struct {
	KPIs []string
	// Locations and Regions select locations by id and by region of the registry; both empty selects all.
	Locations []string
	Regions   []string
	Group     Group
	From, To  time.Time // [From, To), whole minutes
	Step      Step
	// TimeZone overrides the time zone day buckets follow (default: each location's own; an aggregated
	// series needs its locations to share one, or this).
	TimeZone *time.Location
	// Now is the instant the case KPIs count open and overdue cases at (zero: the time of the call); the
	// other KPIs do not depend on it.
	Now time.Time
	// Scope limits the locations the caller may read (nil: all). A region or all-locations selection is
	// narrowed to it; an explicit location outside it is an error, which the API checks first to answer 403.
	Scope func(location string) bool
}

// InputError is a bad request: Param names the parameter, Reason says what is wrong with it.
type InputError struct {
	Param, Reason string
}

func (e *InputError) Error() string { return e.Param + ": " + e.Reason }

// LimitError is a request past a configured limit; Limit is the configuration key.
type LimitError struct {
	Param, Limit, Reason string
}

func (e *LimitError) Error() string { return e.Param + ": " + e.Reason + " (limit " + e.Limit + ")" }

// ScopeError is a location the caller's scope does not allow.
type ScopeError struct {
	Location string
}

func (e *ScopeError) Error() string {
	return "not allowed to read location " + strconv.Quote(e.Location)
}

func inputErr(param, format string, args ...any) error {
	return &InputError{Param: param, Reason: fmt.Sprintf(format, args...)}
}

// validate checks what does not need the registry.
func (r *Request) validate(lim Limits) error {
	if len(r.KPIs) == 0 {
		return inputErr("kpi", "at least one KPI is required: one of %s", strings.Join(kpi.Names, ", "))
	}
	seen := map[string]bool{}
	for _, k := range r.KPIs {
		if _, ok := needs(k); !ok {
			return inputErr("kpi", "unknown KPI %q: must be one of %s", k, strings.Join(kpi.Names, ", "))
		}
		if seen[k] {
			return inputErr("kpi", "KPI %q is listed twice", k)
		}
		seen[k] = true
	}
	switch r.Group {
	case "", GroupLocation, GroupRegion, GroupAll:
	default:
		return inputErr("group", "must be location, region or all, not %q", r.Group)
	}
	if r.From.IsZero() {
		return inputErr("from", "is required")
	}
	if r.To.IsZero() {
		return inputErr("to", "is required")
	}
	if err := wholeMinute("from", r.From); err != nil {
		return err
	}
	if err := wholeMinute("to", r.To); err != nil {
		return err
	}
	if !r.From.Before(r.To) {
		return inputErr("to", "must be after from (%s)", r.From.UTC().Format(time.RFC3339))
	}
	if r.From.Unix() < 0 || r.To.Unix() > 1<<32-1 {
		return inputErr("from", "the range must lie between 1970 and 2106 (ClickHouse DateTime)")
	}
	if lim.MaxRange > 0 && r.To.Sub(r.From) > lim.MaxRange {
		return &LimitError{Param: "to", Limit: "api.max_range", Reason: fmt.Sprintf("the range %s is longer than the maximum %s", r.To.Sub(r.From), lim.MaxRange)}
	}
	if r.Step.Minutes < 0 || r.Step.Days < 0 || r.Step.Minutes > 0 && r.Step.Days > 0 || r.Step.Minutes >= 24*60 {
		return inputErr("step", "must be whole minutes below a day or whole days")
	}
	return nil
}

func wholeMinute(param string, t time.Time) error {
	if t.Unix()%60 != 0 || t.Nanosecond() != 0 {
		return inputErr(param, "must be a whole minute (seconds 00): the components are stored per minute, so a figure for %s would not be exact", t.Format(time.RFC3339Nano))
	}
	return nil
}

// member is one selected location with where its sums go.
type member struct {
	id, region string
	tz         *time.Location
	key        string // series key: the location id, the region, or "" for all
}

// resolve turns the selection into members, applying the registry and the scope.
func (e *Engine) resolve(r *Request) ([]member, error) {
	var picked []int
	has := map[int]bool{}
	add := func(i int) {
		if !has[i] {
			has[i] = true
			picked = append(picked, i)
		}
	}
	for _, id := range r.Locations {
		i, ok := e.byID[id]
		if !ok {
			return nil, inputErr("location", "unknown location %q", id)
		}
		if r.Scope != nil && !r.Scope(id) {
			return nil, &ScopeError{Location: id}
		}
		add(i)
	}
	for _, reg := range r.Regions {
		idx, ok := e.byRegion[reg]
		if !ok {
			return nil, inputErr("region", "unknown region %q", reg)
		}
		n := 0
		for _, i := range idx {
			if r.Scope == nil || r.Scope(e.locs[i].id) {
				add(i)
				n++
			}
		}
		if n == 0 {
			return nil, &ScopeError{Location: "region " + reg}
		}
	}
	if len(r.Locations) == 0 && len(r.Regions) == 0 {
		for i := range e.locs {
			if r.Scope == nil || r.Scope(e.locs[i].id) {
				add(i)
			}
		}
		if len(picked) == 0 {
			return nil, inputErr("location", "no location is registered or allowed")
		}
	}
	if lim := e.lim.MaxLocations; lim > 0 && len(picked) > lim {
		return nil, &LimitError{Param: "location", Limit: "api.max_locations", Reason: fmt.Sprintf("%d locations selected, more than %d", len(picked), lim)}
	}
	slices.Sort(picked) // registry order: stable output
	ms := make([]member, len(picked))
	for k, i := range picked {
		l := e.locs[i]
		m := member{id: l.id, region: l.region, tz: l.tz}
		switch r.Group {
		case GroupRegion:
			m.key = l.region
		case GroupAll:
			m.key = ""
		default:
			m.key = l.id
		}
		if r.TimeZone != nil {
			m.tz = r.TimeZone
		}
		ms[k] = m
	}
	return ms, nil
}
