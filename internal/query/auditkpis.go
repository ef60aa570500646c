package query

import (
	"context"
	"fmt"
	"slices"

	"github.com/cxm-project/cxm/internal/kpi"
)

// auditsFor lists the audit templates whose components (audit_minute) the KPIs read (the ИВС KPIs).
func auditsFor(kpis []string) []string {
	var out []string
	for _, k := range kpis {
		if d, ok := kpi.Builtin.Lookup(k); ok {
			for _, t := range d.Audits {
				if !slices.Contains(out, t) {
					out = append(out, t)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// buildAuditKPIQuery sums audit_minute's visit and factor components of the templates per series key and
// bucket (the employee and element rows are /v1/audits' business). Like survey_minute it has no rollups.
func buildAuditKPIQuery(database string, g group, r *Request, templates []string) sqlQuery {
	return buildSideQuery(database, g, r, templates, "template, dim, key, sum(n), sum(sum), sum(sumsq)", "audit_minute",
		"template IN ? AND dim IN ('', 'factor')", "template, dim, key")
}

// runAuditKPIs executes an audit statement and adds its rows into sums.
func (e *Engine) runAuditKPIs(ctx context.Context, q sqlQuery, sums map[string]*keySums) error {
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
			k kpi.AuditKey
			s kpi.AuditSum
		)
		dest := []any{&b, &k.Template, &k.Dim, &k.Key, &s.N, &s.Sum, &s.SumSq}
		if q.keyed {
			dest = append([]any{&key}, dest...)
		}
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("query: scan audit_minute: %w", err)
		}
		ks := sums[key]
		if ks == nil {
			ks = &keySums{comps: make([]kpi.Components, len(q.starts))}
			sums[key] = ks
		}
		i := b - first
		if i < 0 || i >= int64(len(ks.comps)) {
			return fmt.Errorf("query: audit bucket %d of key %q is outside the %d buckets from %d", b, key, len(ks.comps), first)
		}
		c := &ks.comps[i]
		if c.Audit == nil {
			c.Audit = &kpi.AuditSums{}
		}
		c.Audit.Add(k, s)
	}
	if err := rows.Err(); err != nil {
		return e.wrap(ctx, err)
	}
	return nil
}
