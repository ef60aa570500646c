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
	var out []string
	for _, k := range kpis {
		if d, ok := kpi.Builtin.Lookup(k); ok {
			for _, s := range d.Surveys {
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
	b := bucketing{step: r.Step, tz: g.tz, from: r.From}
	q := sqlQuery{bucketing: b, starts: b.starts(r.From, r.To)}
	ids := make([]any, len(g.members))
	for i, m := range g.members {
		ids[i] = m.id
	}
	var keyCol, groupBy string
	var args []any
	switch {
	case r.Group == GroupAll:
		groupBy = "b"
	case r.Group == GroupRegion:
		from, to := make([]string, len(g.members)), make([]string, len(g.members))
		for i, m := range g.members {
			from[i], to[i] = m.id, m.key
		}
		keyCol, groupBy = "transform(location, ?, ?, '') AS key, ", "key, b"
		args = append(args, from, to)
	case len(g.members) == 1:
		q.key, groupBy = g.members[0].key, "b"
	default:
		keyCol, groupBy = "toString(location) AS key, ", "key, b"
	}
	q.keyed = keyCol != ""
	bExpr, bArgs := b.expr("minute")
	args = append(args, bArgs...)
	sv := make([]any, len(surveys))
	for i, s := range surveys {
		sv[i] = s
	}
	args = append(args, ch.GroupSet{Value: sv}, ch.GroupSet{Value: ids}, r.From.UTC(), r.To.UTC())
	var sb strings.Builder
	fmt.Fprintf(&sb, "SELECT %s%s AS b, survey, item, value, sum(n), sum(sum), sum(sumsq) FROM %s.survey_minute"+
		" WHERE survey IN ? AND location IN ? AND minute >= ? AND minute < ? GROUP BY %s, survey, item, value",
		keyCol, bExpr, clickhouse.Ident(database), groupBy)
	q.SQL, q.Args = sb.String(), args
	return q
}

// runSurveys executes a survey statement and adds its rows into sums (creating the series' buckets the
// component statement did not).
func (e *Engine) runSurveys(ctx context.Context, q sqlQuery, sums map[string]*keySums) error {
	rows, err := e.conn.Query(ctx, q.SQL, q.Args...)
	if err != nil {
		return e.wrap(ctx, err)
	}
	defer rows.Close()
	first := q.bucketing.first(q.bucketing.from)
	key := q.key
	for rows.Next() {
		var (
			b int64
			k kpi.SurveyKey
			s kpi.Sums
		)
		dest := []any{&b, &k.Survey, &k.Item, &k.Value, &s.N, &s.Sum, &s.SumSq}
		if q.keyed {
			dest = append([]any{&key}, dest...)
		}
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("query: scan survey_minute: %w", err)
		}
		ks := sums[key]
		if ks == nil {
			ks = &keySums{comps: make([]kpi.Components, len(q.starts))}
			sums[key] = ks
		}
		i := b - first
		if i < 0 || i >= int64(len(ks.comps)) {
			return fmt.Errorf("query: survey bucket %d of key %q is outside the %d buckets from %d", b, key, len(ks.comps), first)
		}
		c := &ks.comps[i]
		if c.Survey == nil {
			c.Survey = &kpi.SurveySums{}
		}
		c.Survey.Add(k, s)
	}
	if err := rows.Err(); err != nil {
		return e.wrap(ctx, err)
	}
	return nil
}
