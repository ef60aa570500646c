package plugin

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/cxm-project/cxm/internal/kpi"
)

// Query types; src/types.ts has the same names.
const (
	QueryTimeSeries = "timeseries"
	QueryCurrent    = "current"
	QueryGeo        = "geo"
	QueryEvents     = "events"
	QueryMaturity   = "maturity"
	QueryCases      = "cases"     // the closed loop (cases.go)
	QueryReasons    = "reasons"   // why.go
	QueryBreakdown  = "breakdown" // why.go
	QueryHandoff    = "handoff"   // why.go
)

// Event types of the events table.
var eventTypes = []string{"button", "counter", "pos", "survey", "message", "case", "review"}

// Limits of the events query.
const (
	defaultEventsLimit = 100
	maxEventsLimit     = 10000
)

// QueryModel is a panel query's JSON (src/types.ts CxmQuery), after the frontend applied variables.
type QueryModel struct {
	KPIs      []string `json:"kpis"`
	Locations []string `json:"locations"`
	Region    string   `json:"region"`
	// Regions is a multi-value region variable: locations of any of them (with Region, of all of them).
	Regions []string `json:"regions"`
	// Group combines the time series: location (default), region or all.
	Group string `json:"group"`
	// Window is the status window of current and geo queries (a window the processor evaluates, e.g.
	// 15m, 1h, 1d); empty means each KPI's shortest.
	Window      string   `json:"window"`
	EventTypes  []string `json:"eventTypes"`
	WithComment bool     `json:"withComment"`
	Limit       int      `json:"limit"`
	Filters     []Filter `json:"filters"`
	// By is the breakdown query's grouping, subject or seller; Keys keep only these subjects or sellers.
	By   string   `json:"by"`
	Keys []string `json:"keys"`
	// Audits (audits.go): the dimension, the trend step, the latest visits instead of figures, a template.
	AuditBy     string `json:"auditBy"`
	AuditStep   string `json:"auditStep"`
	AuditVisits bool   `json:"auditVisits"`
	Template    string `json:"template"`
}

// Filter is an ad-hoc filter; keys location and region, operators = and !=.
type Filter struct {
	Key      string `json:"key"`
	Operator string `json:"operator"`
	Value    string `json:"value"`
}

// Query is a parsed, validated panel query.
type Query struct {
	RefID string
	Type  string
	Model QueryModel
	From  time.Time
	To    time.Time
	// Interval is Grafana's suggested step for the panel width; MaxDataPoints bounds the number of steps.
	Interval      time.Duration
	MaxDataPoints int64
}

// ParseQuery reads and validates one query; every error names the field and is the user's to fix.
func ParseQuery(q backend.DataQuery) (Query, error) {
	var m QueryModel
	if len(q.JSON) > 0 {
		if err := json.Unmarshal(q.JSON, &m); err != nil {
			return Query{}, fmt.Errorf("query JSON: %w", err)
		}
	}
	out := Query{
		RefID: q.RefID, Type: q.QueryType, Model: m,
		From: q.TimeRange.From.UTC(), To: q.TimeRange.To.UTC(),
		Interval: q.Interval, MaxDataPoints: q.MaxDataPoints,
	}
	if out.Type == "" {
		// Alert rules and old panels may send no type: the time series is what they want.
		out.Type = QueryTimeSeries
	}
	switch out.Type {
	case QueryTimeSeries, QueryCurrent, QueryGeo, QueryEvents, QueryMaturity, QueryCases, QueryReasons, QueryHandoff, QueryAudits:
	case QueryBreakdown:
		if m.By == "" {
			m.By, out.Model.By = "subject", "subject"
		}
		if m.By != "subject" && m.By != "seller" {
			return Query{}, fmt.Errorf("by: must be subject or seller, not %q", m.By)
		}
	default:
		return Query{}, fmt.Errorf("queryType: %q is not one of timeseries, current, geo, events, maturity, cases, reasons, breakdown, handoff, audits", out.Type)
	}
	if !out.To.After(out.From) {
		return Query{}, fmt.Errorf("time range: end %s must be after start %s", out.To.Format(time.RFC3339), out.From.Format(time.RFC3339))
	}
	if w := strings.TrimSpace(m.Window); w != "" {
		if _, ok := windowDuration(w); !ok {
			return Query{}, fmt.Errorf("window: %q is not a positive duration such as 15m, 1h or 1d", m.Window)
		}
	}
	for _, t := range m.EventTypes {
		if !slices.Contains(eventTypes, t) {
			return Query{}, fmt.Errorf("eventTypes: %q is not one of %s", t, strings.Join(eventTypes, ", "))
		}
	}
	if m.Limit < 0 || m.Limit > maxEventsLimit {
		return Query{}, fmt.Errorf("limit: must be between 1 and %d, got %d", maxEventsLimit, m.Limit)
	}
	if _, ok := groups[m.Group]; !ok {
		return Query{}, fmt.Errorf("group: must be location, region or all, not %q", m.Group)
	}
	for _, k := range m.KPIs {
		if !slices.Contains(kpi.Names, k) {
			return Query{}, fmt.Errorf("kpis: unknown KPI %q: must be one of %s", k, strings.Join(kpi.Names, ", "))
		}
	}
	for i, f := range m.Filters {
		if f.Key != "location" && f.Key != "region" {
			return Query{}, fmt.Errorf("filters[%d].key: ad-hoc filters work on location and region, not %q", i, f.Key)
		}
		if f.Operator != "=" && f.Operator != "!=" {
			return Query{}, fmt.Errorf("filters[%d].operator: must be = or !=, not %q", i, f.Operator)
		}
	}
	return out, nil
}

// kpis are the query's KPIs, every KPI when none is named.
func (q Query) kpis() []string {
	if len(q.Model.KPIs) == 0 {
		return kpi.Names
	}
	return q.Model.KPIs
}

// EventsLimit is the events query's row limit.
func (q Query) EventsLimit() int {
	if q.Model.Limit == 0 {
		return defaultEventsLimit
	}
	return q.Model.Limit
}
