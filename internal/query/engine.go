// Package query is CXM's read path: the one place that reads stored data — KPI figures, statuses, location
// flags, raw events (the export and the newest-first list) and CX maturity assessments — used by the HTTP
// API and the Grafana plugin alike, which only present what it returns, so a number is the same wherever
// it is read and every read runs under the same limits.
//
// A figure over any range, step and set of locations is kpi.Compute on the summed components of that
// range, never an average of stored ratios. Sums come from the coarsest rollup that fits the buckets —
// kpi_hour (whole hours), kpi_5m (whole 5 minutes: steps such as 5m or 15m, and the hours a day boundary
// at +05:30 cuts) — and from kpi_minute for the ragged edges, see plan.go. Every input is a bound
// parameter; every statement runs with a timeout and a cap on the rows it may read, and a request is
// refused before it runs when its answer would exceed the point cap.
package query

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/ClickHouse/clickhouse-go/v2/lib/proto"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kpi"
)

// Limits bound what one request may cost. Zero means no limit (tests only: the config always sets them).
type Limits struct {
	Timeout       time.Duration // per request, also sent to ClickHouse as max_execution_time
	MaxPoints     int64         // points in one answer (series x buckets)
	MaxRows       int64         // rows one statement may read in ClickHouse (max_rows_to_read)
	MaxRange      time.Duration // to - from
	MaxLocations  int           // locations in one request
	MaxExportRows int64         // raw events in one export
}

// Engine answers KPI, status and raw-event queries for one database and location registry.
type Engine struct {
	conn     driver.Conn
	db       string
	lim      Limits
	locs     []loc
	byID     map[string]int
	byRegion map[string][]int
	regions  []string
	opt      kpi.Options
	cases    *config.Cases // the closed loop's SLAs (cases.go)
	why      whyConfig
}

// WithKPIOptions sets the choices figures depend on (the NPS non-responder policy); it returns e.
func (e *Engine) WithKPIOptions(o kpi.Options) *Engine {
	e.opt = o
	return e
}

type loc struct {
	id, region string
	tz         *time.Location
}

// New builds an engine. Locations without a time zone use UTC for day buckets.
func New(conn driver.Conn, database string, locations []config.Location, lim Limits) *Engine {
	e := &Engine{conn: conn, db: database, lim: lim, byID: map[string]int{}, byRegion: map[string][]int{}}
	for i, l := range locations {
		tz := time.UTC
		if l.TimeZone != "" {
			if z, err := time.LoadLocation(l.TimeZone); err == nil { // config validation already refused bad zones
				tz = z
			}
		}
		e.locs = append(e.locs, loc{id: l.ID, region: l.Region, tz: tz})
		e.byID[l.ID] = i
		if l.Region != "" {
			if _, ok := e.byRegion[l.Region]; !ok {
				e.regions = append(e.regions, l.Region)
			}
			e.byRegion[l.Region] = append(e.byRegion[l.Region], i)
		}
	}
	slices.Sort(e.regions)
	return e
}

// Limits returns the engine's limits.
func (e *Engine) Limits() Limits { return e.lim }

// Result is the answer to a Request.
type Result struct {
	From, To time.Time
	Step     Step // zero: one point for the whole range
	Group    Group
	Series   []Series
}

// Series is one KPI of one location, region or the whole selection.
type Series struct {
	Location string // GroupLocation
	Region   string // the location's region, or the region of a GroupRegion series
	KPI      string
	Points   []Point
}

// Point is the figure of one bucket, starting at Time, with its sample size and 95 % interval.
type Point struct {
	Time time.Time
	// Value is nil when the bucket has no sample (N = 0) or the figure is undefined; Low and High are the
	// 95 % interval, nil where the KPI has none (counts and sums are exact).
	Value     *float64
	N         int64
	Low, High *float64
	// Components are the summed components the value was computed from (only the columns the request's
	// KPIs need are filled), for callers that want to show or re-check them. Never nil; shared by the
	// points of one bucket across the KPIs of a series key, so read-only.
	Components *kpi.Components
}

// KPIs answers a KPI request.
func (e *Engine) KPIs(ctx context.Context, r Request) (*Result, error) {
	if r.Group == "" {
		r.Group = GroupLocation
	}
	if err := r.validate(e.lim); err != nil {
		return nil, err
	}
	ms, err := e.resolve(&r)
	if err != nil {
		return nil, err
	}
	cols, err := columnsFor(r.KPIs)
	if err != nil {
		return nil, inputErr("kpi", "%v", err)
	}
	keys, err := seriesKeys(ms, &r)
	if err != nil {
		return nil, err
	}
	gs := groups(ms, r.Step)

	// The point cap is checked before anything runs or is allocated.
	var points int64
	for _, k := range keys {
		b := bucketing{step: r.Step, tz: k.tz, from: r.From}
		points += b.countStarts(r.From, r.To) * int64(len(r.KPIs))
	}
	if e.lim.MaxPoints > 0 && points > e.lim.MaxPoints {
		return nil, &LimitError{Param: "step", Limit: "api.max_points", Reason: fmt.Sprintf(
			"the answer would have about %d points (%d series x buckets of %s), more than %d; use a longer step, a shorter range, fewer KPIs or locations, or group=region|all",
			points, len(keys)*len(r.KPIs), stepName(r.Step), e.lim.MaxPoints)}
	}

	now := r.Now
	if now.IsZero() {
		now = time.Now()
	}
	ctx, cancel := e.withLimits(ctx)
	defer cancel()

	// sums[key] are the summed components of each bucket of the key's series.
	sums := make(map[string]*keySums, len(keys))
	for _, g := range gs {
		// Only KPIs of configured components (ИВС, indices) or of cases need no kpi_minute statement.
		if len(cols) > 0 {
			q := buildKPIQuery(e.db, g, &r, cols, false)
			if r.Group == GroupAll && !q.hoursFrom.IsZero() {
				// The network-wide hourly rollup answers when it holds no location outside the selection.
				cq := coverQuery(e.db, g.members, q.hoursFrom, q.hoursTo)
				var outside uint64
				if err := e.conn.QueryRow(ctx, cq.SQL, cq.Args...).Scan(&outside); err != nil {
					return nil, e.wrap(ctx, err)
				}
				if outside == 0 {
					q = buildKPIQuery(e.db, g, &r, cols, true)
				}
			}
			if err := e.run(ctx, q, cols, sums); err != nil {
				return nil, err
			}
		}
		if sv := surveysFor(r.KPIs); len(sv) > 0 {
			if err := e.runSurveys(ctx, buildSurveyQuery(e.db, g, &r, sv), sums); err != nil {
				return nil, err
			}
		}
		if ts := auditsFor(r.KPIs); len(ts) > 0 {
			if err := e.runAuditKPIs(ctx, buildAuditKPIQuery(e.db, g, &r, ts), sums); err != nil {
				return nil, err
			}
		}
		if casesFor(r.KPIs) {
			if err := e.runCaseKPIs(ctx, buildCaseKPIQuery(e.db, g, &r, e.casesConfig(), now), sums); err != nil {
				return nil, err
			}
		}
	}

	res := &Result{From: r.From.UTC(), To: r.To.UTC(), Step: r.Step, Group: r.Group}
	res.Series = e.series(keys, sums, &r)
	return res, nil
}

// series computes the figures of every series from the summed components: one series per key and KPI, in
// key order, a point per bucket.
func (e *Engine) series(keys []seriesKey, sums map[string]*keySums, r *Request) []Series {
	out := make([]Series, 0, len(keys)*len(r.KPIs))
	var empty []kpi.Components // one zero bucket per start, shared by the series without any row
	var starts []time.Time
	startsTZ := ""
	for _, k := range keys {
		// The buckets depend on the key's zone for day steps only; keys in one zone share them.
		if tz := k.tz.String(); starts == nil || r.Step.Days > 0 && tz != startsTZ {
			b := bucketing{step: r.Step, tz: k.tz, from: r.From}
			starts, startsTZ = b.starts(r.From, r.To), tz
		}
		var comps []kpi.Components
		if ks := sums[k.key]; ks != nil {
			comps = ks.comps
		} else {
			if len(empty) < len(starts) {
				empty = make([]kpi.Components, len(starts))
			}
			comps = empty
		}
		// One backing array for all the points of the key and one for their value, low and high, instead
		// of three small allocations per point.
		points := make([]Point, len(starts)*len(r.KPIs))
		floats := make([]float64, 3*len(points))
		for j, name := range r.KPIs {
			s := Series{Location: k.location, Region: k.region, KPI: name, Points: points[j*len(starts) : (j+1)*len(starts) : (j+1)*len(starts)]}
			for i, t := range starts {
				p := &s.Points[i]
				p.Time = t
				p.Components = &comps[i]
				f := floats[3*(j*len(starts)+i):][:3]
				v := kpi.Compute(name, p.Components, e.opt)
				p.N = v.N
				if v.Valid {
					f[0] = v.Value
					p.Value = &f[0]
					if v.HasInterval {
						f[1], f[2] = v.Low, v.High
						p.Low, p.High = &f[1], &f[2]
					}
				}
			}
			out = append(out, s)
		}
	}
	return out
}

// keySums are the summed components of one series key: comps[i] is the bucket that starts at starts[i] of
// the query's bucketing.
type keySums struct {
	comps []kpi.Components
}

func stepName(s Step) string {
	if s.IsZero() {
		return "the whole range"
	}
	return s.String()
}

// run executes one statement and adds its rows into sums.
func (e *Engine) run(ctx context.Context, q sqlQuery, cols []int, sums map[string]*keySums) error {
	rows, err := e.conn.Query(ctx, q.SQL, q.Args...)
	if err != nil {
		return e.wrap(ctx, err)
	}
	defer rows.Close()
	var (
		key   = q.key
		b     int64
		vals  = make([]int64, len(cols))
		dest  = make([]any, 0, 2+len(cols))
		ptrs  = make([]func(*kpi.Components) *int64, len(cols))
		first = q.bucketing.first(q.bucketing.from)
		ks    *keySums
		ksKey string
	)
	if q.keyed {
		dest = append(dest, &key)
	}
	dest = append(dest, &b)
	for i := range vals {
		dest = append(dest, &vals[i])
	}
	for i, ci := range cols {
		ptrs[i] = columns[ci].Field
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("query: scan: %w", err)
		}
		if ks == nil || key != ksKey {
			ks, ksKey = sums[key], key
			if ks == nil {
				ks = &keySums{comps: make([]kpi.Components, len(q.starts))}
				sums[key] = ks
			}
		}
		i := b - first
		if i < 0 || i >= int64(len(ks.comps)) {
			return fmt.Errorf("query: bucket %d of key %q is outside the %d buckets from %d", b, key, len(ks.comps), first)
		}
		c := &ks.comps[i]
		for j, ptr := range ptrs {
			*ptr(c) += vals[j]
		}
	}
	if err := rows.Err(); err != nil {
		return e.wrap(ctx, err)
	}
	return nil
}

// withLimits adds the timeout to ctx and the server-side limits to its settings, so ClickHouse stops a
// runaway statement itself rather than only the client giving up on it.
func (e *Engine) withLimits(ctx context.Context) (context.Context, context.CancelFunc) {
	return e.limited(ctx, true)
}

// limited is withLimits, with the row cap only when capRows: the export's count has its own cap
// (api.max_export_rows) and reads the key columns only.
func (e *Engine) limited(ctx context.Context, capRows bool) (context.Context, context.CancelFunc) {
	settings := ch.Settings{}
	if capRows && e.lim.MaxRows > 0 {
		settings["max_rows_to_read"] = int(e.lim.MaxRows)
	}
	cancel := context.CancelFunc(func() {})
	if e.lim.Timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, e.lim.Timeout)
		settings["max_execution_time"] = int(max(1, e.lim.Timeout/time.Second))
	}
	return ch.Context(ctx, ch.WithSettings(settings)), cancel
}

// ClickHouse exception codes the engine turns into limit errors.
const (
	chTooManyRows = 158 // TOO_MANY_ROWS: max_rows_to_read
	chTimeout     = 159 // TIMEOUT_EXCEEDED: max_execution_time
)

// TimeoutError is a statement that ran past the query timeout.
type TimeoutError struct {
	Timeout time.Duration
	Limit   string // the configuration key; api.query_timeout when empty
}

func (e *TimeoutError) Error() string {
	limit := e.Limit
	if limit == "" {
		limit = "api.query_timeout"
	}
	return fmt.Sprintf("the query took longer than %s (limit %s); narrow the range or the locations", e.Timeout, limit)
}

func (e *Engine) wrap(ctx context.Context, err error) error {
	var ex *proto.Exception
	if errors.As(err, &ex) {
		switch ex.Code {
		case chTooManyRows:
			return &LimitError{Param: "from", Limit: "api.max_rows", Reason: fmt.Sprintf(
				"the query would read more than %d stored rows; narrow the range or the locations, or use a step of whole hours", e.lim.MaxRows)}
		case chTimeout:
			return &TimeoutError{Timeout: e.lim.Timeout}
		}
	}
	if errors.Is(err, context.DeadlineExceeded) || ctx.Err() == context.DeadlineExceeded {
		return &TimeoutError{Timeout: e.lim.Timeout}
	}
	return fmt.Errorf("query: %w", err)
}

// seriesKey is one series' identity apart from the KPI.
type seriesKey struct {
	key, location, region string
	tz                    *time.Location
}

// seriesKeys lists the series in output order and checks that each aggregated series has one time zone
// to follow for day steps.
func seriesKeys(ms []member, r *Request) ([]seriesKey, error) {
	var keys []seriesKey
	at := map[string]int{}
	for _, m := range ms {
		i, ok := at[m.key]
		if !ok {
			k := seriesKey{key: m.key, tz: m.tz}
			switch r.Group {
			case GroupLocation:
				k.location, k.region = m.id, m.region
			case GroupRegion:
				k.region = m.key
			}
			at[m.key] = len(keys)
			keys = append(keys, k)
			continue
		}
		if r.Step.Days > 0 && keys[i].tz.String() != m.tz.String() {
			what := "the selected locations"
			if r.Group == GroupRegion {
				what = "the locations of region " + m.key
			}
			return nil, inputErr("tz", "%s span the time zones %s and %s; name the zone their days follow with tz=",
				what, keys[i].tz, m.tz)
		}
	}
	if r.Group == GroupRegion {
		slices.SortStableFunc(keys, func(a, b seriesKey) int { return cmp.Compare(a.key, b.key) })
	}
	return keys, nil
}
