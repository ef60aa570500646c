package query

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kpi"
)

// AuditsRequest asks for the ИВС of service-standard audits over [From, To).
type AuditsRequest struct {
	From, To  time.Time
	Locations []string
	Regions   []string
	Scope     func(string) bool
	// Template restricts to one checklist template; empty: every template, each its own series.
	Template string
	// Group is location (default), region or all: visits of the group's locations are pooled (the mean
	// over all their visits, not a mean of means).
	Group Group
	// By adds a dimension: "" (the visit's ИВС), factor, employee or element.
	By string
	// Step buckets the range into UTC calendar days, weeks (from Monday) or months: day | week | month;
	// empty gives one figure for the whole range.
	Step      string
	Threshold kpi.Threshold
}

// AuditSeries is one group's figures of one template and key, a point per bucket.
type AuditSeries struct {
	Key      string       `json:"key"` // location id, region, or "" for all
	Template string       `json:"template"`
	Dim      string       `json:"dim"`  // "", factor, employee, element
	Item     string       `json:"item"` // the factor, employee or element id ("" for the visit)
	Points   []AuditPoint `json:"points"`
	Total    AuditPoint   `json:"total"` // over the whole range
}

// AuditPoint is the ИВС of one bucket: the mean visit score, its 95 % interval, visits and status.
type AuditPoint struct {
	Start  *time.Time `json:"start,omitempty"`
	Value  *float64   `json:"value"`
	N      int64      `json:"n"`
	Low    *float64   `json:"low"`
	High   *float64   `json:"high"`
	Status string     `json:"status"`
	// Sum and SumSq are the additive components (1/10000 of a point), so a client can pool further.
	Sum   int64 `json:"sum"`
	SumSq int64 `json:"sumsq"`
}

func auditPoint(s kpi.AuditSum, th kpi.Threshold) AuditPoint {
	v := kpi.IVS(s)
	p := AuditPoint{N: s.N, Sum: s.Sum, SumSq: s.SumSq, Status: kpi.Classify(v, th).String()}
	if v.Valid {
		p.Value = &v.Value
		if v.HasInterval {
			p.Low, p.High = &v.Low, &v.High
		}
	}
	return p
}

var auditDims = map[string]string{"": kpi.AuditVisit, "factor": kpi.AuditFactor, "employee": kpi.AuditEmployee, "element": kpi.AuditElement}

// Audits answers an ИВС request from audit_minute.
func (e *Engine) Audits(ctx context.Context, r AuditsRequest) ([]AuditSeries, error) {
	if err := e.checkRange(r.From, r.To); err != nil {
		return nil, err
	}
	dim, ok := auditDims[r.By]
	if !ok {
		return nil, inputErr("by", "must be factor, employee or element (or absent for the visit's ИВС), not %q", r.By)
	}
	var bucket string
	switch r.Step {
	case "":
	case "day":
		bucket = "toStartOfDay(minute)"
	case "week":
		bucket = "toDateTime(toMonday(minute), 'UTC')"
	case "month":
		bucket = "toDateTime(toStartOfMonth(minute), 'UTC')"
	default:
		return nil, inputErr("step", "must be day, week or month, not %q", r.Step)
	}
	if r.Group == "" {
		r.Group = GroupLocation
	}
	if r.Group != GroupLocation && r.Group != GroupRegion && r.Group != GroupAll {
		return nil, inputErr("group", "must be location, region or all, not %q", r.Group)
	}
	ms, err := e.resolve(&Request{Locations: r.Locations, Regions: r.Regions, Scope: r.Scope})
	if err != nil {
		return nil, err
	}
	keyOf := map[string]string{}
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.id
		switch r.Group {
		case GroupRegion:
			keyOf[m.id] = m.region
		case GroupAll:
			keyOf[m.id] = ""
		default:
			keyOf[m.id] = m.id
		}
	}
	ctx, cancel := e.withLimits(ctx)
	defer cancel()
	sel := "toDateTime(0, 'UTC')"
	if bucket != "" {
		sel = bucket
	}
	q := "SELECT location, template, key, " + sel + " AS b, sum(n), sum(sum), sum(sumsq) FROM " + clickhouse.Ident(e.db) +
		".audit_minute WHERE location IN ? AND minute >= ? AND minute < ? AND dim = ?"
	args := []any{inSet(ids), r.From.UTC(), r.To.UTC(), dim}
	if r.Template != "" {
		q += " AND template = ?"
		args = append(args, r.Template)
	}
	q += " GROUP BY location, template, key, b"
	rows, err := e.conn.Query(ctx, q, args...)
	if err != nil {
		return nil, e.wrap(ctx, err)
	}
	defer rows.Close()
	type sk struct{ key, tmpl, item string }
	sums := map[sk]map[int64]*kpi.AuditSum{}
	for rows.Next() {
		var (
			loc, tmpl, item string
			b               time.Time
			s               kpi.AuditSum
		)
		if err := rows.Scan(&loc, &tmpl, &item, &b, &s.N, &s.Sum, &s.SumSq); err != nil {
			return nil, e.wrap(ctx, err)
		}
		k := sk{keyOf[loc], tmpl, item}
		if sums[k] == nil {
			sums[k] = map[int64]*kpi.AuditSum{}
		}
		dst := sums[k][b.Unix()]
		if dst == nil {
			dst = &kpi.AuditSum{}
			sums[k][b.Unix()] = dst
		}
		dst.Add(s)
	}
	if err := rows.Err(); err != nil {
		return nil, e.wrap(ctx, err)
	}
	starts := auditBuckets(r.From, r.To, r.Step)
	out := make([]AuditSeries, 0, len(sums))
	for k, byBucket := range sums {
		s := AuditSeries{Key: k.key, Template: k.tmpl, Dim: r.By, Item: k.item}
		var total kpi.AuditSum
		for _, b := range byBucket {
			total.Add(*b)
		}
		s.Total = auditPoint(total, r.Threshold)
		if r.Step != "" {
			for _, st := range starts {
				var b kpi.AuditSum
				if p := byBucket[st.Unix()]; p != nil {
					b = *p
				}
				p := auditPoint(b, r.Threshold)
				p.Start = &st
				s.Points = append(s.Points, p)
			}
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b AuditSeries) int {
		return strings.Compare(a.Key+"\x00"+a.Template+"\x00"+a.Item, b.Key+"\x00"+b.Template+"\x00"+b.Item)
	})
	return out, nil
}

// auditBuckets are the UTC calendar bucket starts covering [from, to).
func auditBuckets(from, to time.Time, step string) []time.Time {
	from, to = from.UTC(), to.UTC()
	var t time.Time
	next := func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }
	switch step {
	case "day":
		t = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
	case "week":
		d := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
		t = d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
		next = func(t time.Time) time.Time { return t.AddDate(0, 0, 7) }
	case "month":
		t = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
		next = func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }
	default:
		return nil
	}
	var out []time.Time
	for ; t.Before(to); t = next(t) {
		out = append(out, t)
	}
	return out
}

// AuditVisit is one audit as stored: the raw row's audit object and its score.
type AuditVisit struct {
	ID       string             `json:"id"`
	Location string             `json:"location"`
	Time     time.Time          `json:"time"`
	Audit    event.Audit        `json:"audit"`
	Score    *float64           `json:"score"` // null when nothing was applicable
	Capped   bool               `json:"capped"`
	Factors  map[string]float64 `json:"factors"`
}

// AuditVisitsRequest asks for the latest visits.
type AuditVisitsRequest struct {
	From, To  time.Time
	Locations []string
	Regions   []string
	Scope     func(string) bool
	Template  string
	Limit     int
}

// AuditVisits lists the latest visits, newest first, at most Limit (and api.max_events_limit).
func (e *Engine) AuditVisits(ctx context.Context, r AuditVisitsRequest) ([]AuditVisit, error) {
	if err := e.checkRange(r.From, r.To); err != nil {
		return nil, err
	}
	if r.Limit <= 0 {
		r.Limit = 50
	}
	if err := e.checkLimit(r.Limit); err != nil {
		return nil, err
	}
	ids, err := e.locationIDs(r.Locations, r.Regions, r.Scope)
	if err != nil {
		return nil, err
	}
	ctx, cancel := e.withLimits(ctx)
	defer cancel()
	// The processor writes each accepted event once (verified by Kafka offset), so no dedupe is needed;
	// LIMIT BY id still hides a row a test or an operator inserted twice.
	q := "SELECT id, location, time, audit FROM " + clickhouse.Ident(e.db) + ".events WHERE type = 'audit' AND location IN ? AND time >= ? AND time < ?"
	args := []any{inSet(ids), r.From.UTC(), r.To.UTC()}
	if r.Template != "" {
		q += " AND audit LIKE ?"
		args = append(args, `{"template":`+jsonString(r.Template)+`,%`)
	}
	q += fmt.Sprintf(" ORDER BY time DESC, id LIMIT 1 BY id LIMIT %d", r.Limit)
	rows, err := e.conn.Query(ctx, q, args...)
	if err != nil {
		return nil, e.wrap(ctx, err)
	}
	defer rows.Close()
	var out []AuditVisit
	for rows.Next() {
		var v AuditVisit
		var raw string
		if err := rows.Scan(&v.ID, &v.Location, &v.Time, &raw); err != nil {
			return nil, e.wrap(ctx, err)
		}
		if err := json.Unmarshal([]byte(raw), &v.Audit); err != nil {
			return nil, fmt.Errorf("audit %s: stored audit object: %w", v.ID, err)
		}
		sc := kpi.ScoreVisit(&v.Audit)
		if sc.Valid {
			x := float64(sc.Score) / kpi.AuditScale
			v.Score, v.Capped = &x, sc.Capped
		}
		v.Factors = map[string]float64{}
		for k, s := range kpi.AuditComponents(&v.Audit) {
			if k.Dim == kpi.AuditFactor {
				v.Factors[k.Key] = float64(s.Sum) / kpi.AuditScale
			}
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, e.wrap(ctx, err)
	}
	return out, nil
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return strings.NewReplacer(`%`, `\%`, `_`, `\_`).Replace(string(b))
}
