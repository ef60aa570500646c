package query

import (
	"context"

	"github.com/cxm-project/cxm/internal/kpi"
)

// auditsFor lists the audit templates whose components (audit_minute) the KPIs read (the ИВС KPIs).
func auditsFor(kpis []string) []string {
	return namesOf(kpis, func(d *kpi.Def) []string { return d.Audits })
}

// buildAuditKPIQuery sums audit_minute's visit and factor components of the templates per series key and
// bucket (the employee and element rows are /v1/audits' business). Like survey_minute it has no rollups.
func buildAuditKPIQuery(database string, g group, r *Request, templates []string) sqlQuery {
	return buildSideQuery(database, g, r, templates, "template, dim, key, sum(n), sum(sum), sum(sumsq)", "audit_minute",
		"template IN ? AND dim IN ('', 'factor')", "template, dim, key")
}

// runAuditKPIs executes an audit statement and adds its rows into sums.
func (e *Engine) runAuditKPIs(ctx context.Context, q sqlQuery, sums map[string]*keySums) error {
	var (
		k kpi.AuditKey
		v kpi.AuditSum
	)
	return e.runSide(ctx, q, sums, "audit_minute", []any{&k.Template, &k.Dim, &k.Key, &v.N, &v.Sum, &v.SumSq}, func(c *kpi.Components) {
		if c.Audit == nil {
			c.Audit = &kpi.AuditSums{}
		}
		c.Audit.Add(k, v)
	})
}
