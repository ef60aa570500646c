package query

import (
	"context"
	"fmt"
	"strings"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kpi"
)

// The case KPIs (kpi.Def.Cases) of a KPI request: the cases are bucketed by the time they opened, and
// their components (kpi.CaseComponents) are summed per series key and bucket by ClickHouse in one
// aggregate statement over each case's state, the same state Cases reads (caseStateSQL: argMax over the
// case's history, never FINAL), so only the sums of each bucket reach Go. The events are selected on the
// table's sort key (location IN the members, time >= from); a case's later actions count whenever they
// happened. Open and overdue are as of the request's Now: a case opened in the range and not resolved at
// the time of the answer, past its SLA then.

// casesFor reports whether a KPI of the request reads case components.
func casesFor(kpis []string) bool {
	for _, k := range kpis {
		if kpi.IsCase(k) {
			return true
		}
	}
	return false
}

// caseKPISQL sums the case components per series key and bucket; the %s are the key column, the bucket
// expression, the case's SLA in seconds (from its rule), the database, and the grouping.
const caseKPISQL = `SELECT %s%s AS b,
    toInt64(count()),
    toInt64(countIf(closing != 'resolve')),
    toInt64(countIf(closing != 'resolve' AND due < ?)),
    toInt64(countIf(first_action > 0)),
    sumIf(toInt64(first_action) - toInt64(toUInt32(opened)), first_action > 0),
    toInt64(countIf(closing = 'resolve')),
    sumIf(toInt64(closed_at) - toInt64(toUInt32(opened)), closing = 'resolve'),
    toInt64(countIf(closing = 'resolve' AND closed_at <= due))
FROM (
    SELECT location,
        minIf(time, action = 'open') AS opened,
        toUInt32(opened) + %s AS due,
        toUInt32(minIf(time, action != 'open')) AS first_action,
        argMaxIf(action, (time, id), action IN ('resolve', 'reopen')) AS closing,
        toUInt32(argMaxIf(time, (time, id), action IN ('resolve', 'reopen'))) AS closed_at
    FROM %s.events
    WHERE type = 'case' AND location IN ? AND time >= ?
    GROUP BY case_id, location
    HAVING countIf(action = 'open') > 0 AND opened >= ? AND opened < ?
)
GROUP BY %s`

// slaSQL is the SLA of a case in seconds from its rule (config.Cases.RuleSLA): a multiIf over the rules
// with an SLA of their own, whose ids are bound.
func slaSQL(cc *config.Cases) (string, []any) {
	var sb strings.Builder
	var args []any
	n := 0
	for _, r := range cc.Rules {
		if r.SLA <= 0 {
			continue
		}
		if n == 0 {
			sb.WriteString("multiIf(")
		}
		n++
		fmt.Fprintf(&sb, "anyIf(rule, action = 'open') = ?, %d, ", int64(r.SLA/time.Second))
		args = append(args, r.ID)
	}
	def := fmt.Sprintf("%d", int64(cc.SLA/time.Second))
	if n == 0 {
		return def, nil
	}
	sb.WriteString(def + ")")
	return sb.String(), args
}

// buildCaseKPIQuery is the case statement of one group, counting open and overdue as of now.
func buildCaseKPIQuery(database string, g group, r *Request, cc *config.Cases, now time.Time) sqlQuery {
	b := bucketing{step: r.Step, tz: g.tz, from: r.From}
	q := sqlQuery{bucketing: b, starts: b.starts(r.From, r.To)}
	ids := make([]any, len(g.members))
	for i, m := range g.members {
		ids[i] = m.id
	}
	keyCol, groupBy, args := sideKey(&q, g, r)
	bExpr, bArgs := b.expr("opened")
	args = append(args, bArgs...)
	// Overdue is now after the due second (Case.Overdue): the due second is before now rounded up.
	nowUp := now.Truncate(time.Second)
	if nowUp.Before(now) {
		nowUp = nowUp.Add(time.Second)
	}
	args = append(args, uint32(nowUp.Unix()))
	sla, slaArgs := slaSQL(cc)
	args = append(args, slaArgs...)
	args = append(args, ch.GroupSet{Value: ids}, r.From.UTC(), r.From.UTC(), r.To.UTC())
	q.SQL = fmt.Sprintf(caseKPISQL, keyCol, bExpr, sla, clickhouse.Ident(database), groupBy)
	q.Args = args
	return q
}

// runCaseKPIs executes a case statement and adds its rows into sums.
func (e *Engine) runCaseKPIs(ctx context.Context, q sqlQuery, sums map[string]*keySums) error {
	var c kpi.CaseComponents
	return e.runSide(ctx, q, sums, "cases", []any{&c.Opened, &c.Open, &c.Overdue, &c.FirstActed, &c.FirstActionSeconds,
		&c.Resolved, &c.ResolveSeconds, &c.ResolvedInSLA}, func(comps *kpi.Components) {
		if comps.Case == nil {
			comps.Case = &kpi.CaseComponents{}
		}
		comps.Case.Add(&c)
	})
}
