package query

import (
	"context"
	"fmt"
	"slices"
	"strings"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/kpi"
)

// surveysFor lists the configured questionnaires whose components (survey_minute) the KPIs read.
func surveysFor(kpis []string) []string {
	return namesOf(kpis, func(d *kpi.Def) []string { return d.Surveys })
}

// namesOf collects, sorted and once each, what the named KPIs' definitions list under field (their
// questionnaires, their audit templates): the side tables a request must read.
func namesOf(kpis []string, field func(*kpi.Def) []string) []string {
	var out []string
	for _, k := range kpis {
		if d, ok := kpi.Builtin.Lookup(k); ok {
			for _, s := range field(d) {
				if !slices.Contains(out, s) {
					out = append(out, s)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// buildSurveyQuery sums survey_minute per series key, bucket, survey, item and value over the request's
// range. survey_minute has no rollups: a long range reads every minute row of the selected surveys
// (bounded by api.max_rows like any statement).
func buildSurveyQuery(database string, g group, r *Request, surveys []string) sqlQuery {
	return buildSideQuery(database, g, r, surveys, "survey, item, value, sum(n), sum(sum), sum(sumsq)", "survey_minute",
		"survey IN ?", "survey, item, value")
}

// buildSideQuery sums a side table of configured components (survey_minute, audit_minute) per series key
// and bucket over the request's range: cols are the selected columns after the bucket, filter selects the
// table's rows of sel, by the grouping columns. The series key is aliased series_key, not key: audit_minute
// has a column named key.
func buildSideQuery(database string, g group, r *Request, sel []string, cols, table, filter, by string) sqlQuery {
	b := bucketing{step: r.Step, tz: g.tz, from: r.From}
	q := sqlQuery{bucketing: b, starts: b.starts(r.From, r.To)}
	ids := make([]any, len(g.members))
	for i, m := range g.members {
		ids[i] = m.id
	}
	keyCol, groupBy, args := sideKey(&q, g, r)
	bExpr, bArgs := b.expr("minute")
	args = append(args, bArgs...)
	sv := make([]any, len(sel))
	for i, s := range sel {
		sv[i] = s
	}
	args = append(args, ch.GroupSet{Value: sv}, ch.GroupSet{Value: ids}, r.From.UTC(), r.To.UTC())
	var sb strings.Builder
	fmt.Fprintf(&sb, "SELECT %s%s AS b, %s FROM %s.%s WHERE %s AND location IN ? AND minute >= ? AND minute < ? GROUP BY %s, %s",
		keyCol, bExpr, cols, clickhouse.Ident(database), table, filter, groupBy, by)
	q.SQL, q.Args = sb.String(), args
	return q
}

// sideKey is the series key column of a side statement on a location column ("" when every row has the
// key q.key, which it sets), its grouping and the key column's arguments; it sets q.keyed.
func sideKey(q *sqlQuery, g group, r *Request) (keyCol, groupBy string, args []any) {
	switch {
	case r.Group == GroupAll:
		groupBy = "b"
	case r.Group == GroupRegion:
		from, to := make([]string, len(g.members)), make([]string, len(g.members))
		for i, m := range g.members {
			from[i], to[i] = m.id, m.key
		}
		keyCol, groupBy = "transform(location, ?, ?, '') AS series_key, ", "series_key, b"
		args = append(args, from, to)
	case len(g.members) == 1:
		q.key, groupBy = g.members[0].key, "b"
	default:
		keyCol, groupBy = "toString(location) AS series_key, ", "series_key, b"
	}
	q.keyed = keyCol != ""
	return keyCol, groupBy, args
}

// runSurveys executes a survey statement and adds its rows into sums (creating the series' buckets the
// component statement did not).
func (e *Engine) runSurveys(ctx context.Context, q sqlQuery, sums map[string]*keySums) error {
	var (
		k kpi.SurveyKey
		v kpi.Sums
	)
	return e.runSide(ctx, q, sums, "survey_minute", []any{&k.Survey, &k.Item, &k.Value, &v.N, &v.Sum, &v.SumSq}, func(c *kpi.Components) {
		if c.Survey == nil {
			c.Survey = &kpi.SurveySums{}
		}
		c.Survey.Add(k, v)
	})
}

// runSide executes a statement of a side table (survey_minute, audit_minute): each row is [series key,]
// bucket, then the table's columns scanned into dest, which add puts into that bucket's components.
func (e *Engine) runSide(ctx context.Context, q sqlQuery, sums map[string]*keySums, table string, dest []any, add func(*kpi.Components)) error {
	rows, err := e.conn.Query(ctx, q.SQL, q.Args...)
	if err != nil {
		return e.wrap(ctx, err)
	}
	defer rows.Close()
	first := q.bucketing.first(q.bucketing.from)
	key := q.key
	var b int64
	dest = append([]any{&b}, dest...)
	if q.keyed {
		dest = append([]any{&key}, dest...)
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("query: scan %s: %w", table, err)
		}
		ks := sums[key]
		if ks == nil {
			ks = &keySums{comps: make([]kpi.Components, len(q.starts))}
			sums[key] = ks
		}
		i := b - first
		if i < 0 || i >= int64(len(ks.comps)) {
			return fmt.Errorf("query: %s bucket %d of key %q is outside the %d buckets from %d", table, b, key, len(ks.comps), first)
		}
		add(&ks.comps[i])
	}
	if err := rows.Err(); err != nil {
		return e.wrap(ctx, err)
	}
	return nil
}
