package query

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kpi"
)

// Cases are read from their history: every action is a row of the events table (type 'case'), and a
// case's current state is the aggregate of its rows grouped by case id — argMax by (time, id) for what
// the latest action of a kind says — so nothing depends on a merge having happened (no FINAL). Actions
// are grouped by (case id, location) and a group counts only with its open action, so an action sent
// for another location's case id cannot change that case.

// WithCases gives the engine the closed loop's configuration (SLAs, rules); it returns e.
func (e *Engine) WithCases(c *config.Cases) *Engine {
	e.cases = c
	return e
}

// Case statuses.
const (
	CaseOpen     = "open"
	CaseAssigned = "assigned"
	CaseResolved = "resolved"
)

// Case is a case's current state, with the words of the event that triggered it.
type Case struct {
	ID          string     `json:"id"`
	Location    string     `json:"location"`
	Region      string     `json:"region,omitempty"`
	Rule        string     `json:"rule"`
	Source      string     `json:"source"`
	Trigger     string     `json:"trigger"`
	Status      string     `json:"status"`
	Assignee    string     `json:"assignee,omitempty"`
	Opened      time.Time  `json:"opened"`
	FirstAction *time.Time `json:"first_action,omitempty"`
	Resolved    *time.Time `json:"resolved,omitempty"`
	Due         time.Time  `json:"due"`
	Overdue     bool       `json:"overdue"`
	// FirstActionDue is when a person should have acted (cases.first_action_sla); Unanswered says the case
	// is open, nobody has acted, and that time has passed.
	FirstActionDue time.Time       `json:"first_action_due"`
	Unanswered     bool            `json:"unanswered"`
	Checklist      map[string]bool `json:"checklist"`
	Causes         []string        `json:"causes"`
	Actions        int64           `json:"actions"`
	Words          *CaseWords      `json:"words,omitempty"`
}

// CaseWords is what the customer said or pressed: the triggering event's content.
type CaseWords struct {
	Type    string `json:"type"`
	Kind    string `json:"kind,omitempty"`
	Text    string `json:"text,omitempty"`
	Contact string `json:"contact,omitempty"`
	Voice   string `json:"voice,omitempty"`
	NPS     *uint8 `json:"nps,omitempty"`
	CSAT    *uint8 `json:"csat,omitempty"`
	Value   uint8  `json:"value,omitempty"`
	Scale   uint8  `json:"scale,omitempty"`
}

// CaseAction is one row of a case's history.
type CaseAction struct {
	ID        string          `json:"id"`
	Time      time.Time       `json:"time"`
	Action    string          `json:"action"`
	Actor     string          `json:"actor,omitempty"`
	Assignee  string          `json:"assignee,omitempty"`
	Note      string          `json:"note,omitempty"`
	Checklist map[string]bool `json:"checklist,omitempty"`
	Causes    []string        `json:"causes,omitempty"`
}

// CasesRequest selects cases by the time they opened.
type CasesRequest struct {
	Locations, Regions []string
	From, To           time.Time // opened in [From, To)
	Status             string    // "", open (not resolved), assigned, resolved, overdue
	Rule               string
	Assignee           string
	ID                 string // one case
	Limit              int    // 0: cases.inbox_limit
	Now                time.Time
	Scope              func(location string) bool
}

// caseStateSQL selects one row per case; %s are the WHERE and HAVING conditions.
const caseStateSQL = `SELECT case_id, location,
    minIf(time, action = 'open') AS opened,
    anyIf(rule, action = 'open') AS rule,
    anyIf(source, action = 'open') AS source,
    anyIf(trigger_id, action = 'open') AS trig,
    toUInt32(minIf(time, action != 'open')) AS first_action,
    argMaxIf(action, (time, id), action IN ('resolve', 'reopen')) AS closing,
    toUInt32(argMaxIf(time, (time, id), action IN ('resolve', 'reopen'))) AS closed_at,
    argMaxIf(assignee, (time, id), action = 'assign') AS assignee,
    argMaxIf(checklist, (time, id), checklist != '') AS checklist,
    argMaxIf(causes, (time, id), notEmpty(causes)) AS causes,
    count() AS actions
FROM %s.events
WHERE type = 'case' AND %s
GROUP BY case_id, location
HAVING countIf(action = 'open') > 0 AND %s`

// casesConfig is the closed loop's configuration, with the defaults' SLA and limit where unset (an
// engine built without WithCases, as some tests do).
func (e *Engine) casesConfig() *config.Cases {
	c := config.Cases{}
	if e.cases != nil {
		c = *e.cases
	}
	if c.SLA <= 0 {
		c.SLA = 24 * time.Hour
	}
	if c.InboxLimit <= 0 {
		c.InboxLimit = 500
	}
	return &c
}

// Cases returns the cases of the request, newest first, with the triggering events' words.
func (e *Engine) Cases(ctx context.Context, r CasesRequest) ([]Case, error) {
	if err := e.checkRange(r.From, r.To); err != nil {
		return nil, err
	}
	switch r.Status {
	case "", CaseOpen, CaseAssigned, CaseResolved, "overdue":
	default:
		return nil, inputErr("status", "must be open, assigned, resolved or overdue, not %q", r.Status)
	}
	cc := e.casesConfig()
	limit := r.Limit
	if limit <= 0 || limit > cc.InboxLimit {
		limit = cc.InboxLimit
	}
	if r.Now.IsZero() {
		r.Now = time.Now()
	}
	ids, err := e.locationIDs(r.Locations, r.Regions, r.Scope)
	if err != nil {
		return nil, err
	}
	from, to := r.From.UTC().Truncate(time.Second), r.To.UTC().Truncate(time.Second)
	where := "location IN ? AND time >= ?"
	args := []any{inSet(ids), from}
	if r.ID != "" {
		where += " AND case_id = ?"
		args = append(args, r.ID)
	}
	having := "opened >= ? AND opened < ?"
	args = append(args, from, to)
	switch r.Status {
	case CaseResolved:
		having += " AND closing = 'resolve'"
	case CaseOpen, "overdue":
		having += " AND closing != 'resolve'"
	case CaseAssigned:
		having += " AND closing != 'resolve' AND assignee != ''"
	}
	if r.Rule != "" {
		having += " AND rule = ?"
		args = append(args, r.Rule)
	}
	if r.Assignee != "" {
		having += " AND assignee = ?"
		args = append(args, r.Assignee)
	}
	q := fmt.Sprintf(caseStateSQL, clickhouse.Ident(e.db), where, having) + fmt.Sprintf(" ORDER BY opened DESC, case_id LIMIT %d", limit)
	ctx, cancel := e.withLimits(ctx)
	defer cancel()
	rows, err := e.conn.Query(ctx, q, args...)
	if err != nil {
		return nil, e.wrap(ctx, err)
	}
	defer rows.Close()
	out := []Case{}
	for rows.Next() {
		var (
			c                     Case
			firstAction, closedAt uint32
			closing, checklist    string
			actions               uint64
		)
		if err := rows.Scan(&c.ID, &c.Location, &c.Opened, &c.Rule, &c.Source, &c.Trigger, &firstAction, &closing, &closedAt,
			&c.Assignee, &checklist, &c.Causes, &actions); err != nil {
			return nil, e.wrap(ctx, err)
		}
		c.Actions = int64(actions)
		e.finish(&c, cc, firstAction, closing, closedAt, checklist, r.Now)
		if r.Status == "overdue" && !c.Overdue {
			continue
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, e.wrap(ctx, err)
	}
	if err := e.caseWords(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// finish derives what the stored columns imply: status, clocks, SLA.
func (e *Engine) finish(c *Case, cc *config.Cases, firstAction uint32, closing string, closedAt uint32, checklist string, now time.Time) {
	c.Opened = c.Opened.UTC()
	if i, ok := e.byID[c.Location]; ok {
		c.Region = e.locs[i].region
	}
	if firstAction > 0 {
		t := time.Unix(int64(firstAction), 0).UTC()
		c.FirstAction = &t
	}
	c.Status = CaseOpen
	if c.Assignee != "" {
		c.Status = CaseAssigned
	}
	if closing == "resolve" {
		c.Status = CaseResolved
		t := time.Unix(int64(closedAt), 0).UTC()
		c.Resolved = &t
	}
	c.Due = c.Opened.Add(cc.RuleSLA(c.Rule))
	c.Overdue = c.Status != CaseResolved && now.After(c.Due)
	if cc.FirstActionSLA > 0 {
		c.FirstActionDue = c.Opened.Add(cc.FirstActionSLA)
		c.Unanswered = c.FirstAction == nil && c.Status != CaseResolved && now.After(c.FirstActionDue)
	}
	c.Checklist = map[string]bool{}
	if checklist != "" {
		_ = json.Unmarshal([]byte(checklist), &c.Checklist) // written by event.AppendChecklist
	}
	if c.Causes == nil {
		c.Causes = []string{}
	}
}

// caseWords fills the triggering events' content: one statement over the cases' locations and the
// seconds they opened at (a case opens at its trigger's event time).
func (e *Engine) caseWords(ctx context.Context, cs []Case) error {
	if len(cs) == 0 {
		return nil
	}
	var locs, trig []string
	lo, hi := cs[0].Opened, cs[0].Opened
	for _, c := range cs {
		if !slices.Contains(locs, c.Location) {
			locs = append(locs, c.Location)
		}
		trig = append(trig, c.Trigger)
		lo, hi = minTime(lo, c.Opened), maxTime(hi, c.Opened)
	}
	ctx, cancel := e.withLimits(ctx)
	defer cancel()
	rows, err := e.conn.Query(ctx, "SELECT location, id, toString(type), toString(kind), comment, contact, voice, nps, csat, value, scale FROM "+
		clickhouse.Ident(e.db)+".events WHERE location IN ? AND time >= ? AND time <= ? AND id IN ?",
		inSet(locs), lo, hi, inSet(trig))
	if err != nil {
		return e.wrap(ctx, err)
	}
	defer rows.Close()
	words := map[[2]string]*CaseWords{}
	for rows.Next() {
		var loc, id string
		w := &CaseWords{}
		if err := rows.Scan(&loc, &id, &w.Type, &w.Kind, &w.Text, &w.Contact, &w.Voice, &w.NPS, &w.CSAT, &w.Value, &w.Scale); err != nil {
			return e.wrap(ctx, err)
		}
		words[[2]string{loc, id}] = w
	}
	for i := range cs {
		cs[i].Words = words[[2]string{cs[i].Location, cs[i].Trigger}]
	}
	return rows.Err()
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// CaseHistory returns one case (opened in [from, to)) and every action on it, oldest first.
func (e *Engine) CaseHistory(ctx context.Context, id string, from, to, now time.Time, scope func(string) bool) (*Case, []CaseAction, error) {
	cs, err := e.Cases(ctx, CasesRequest{ID: id, From: from, To: to, Now: now, Scope: scope, Limit: 1})
	if err != nil {
		return nil, nil, err
	}
	if len(cs) == 0 {
		return nil, nil, &NotFoundError{What: "case", ID: id}
	}
	c := &cs[0]
	ctx, cancel := e.withLimits(ctx)
	defer cancel()
	rows, err := e.conn.Query(ctx, "SELECT id, time, action, actor, assignee, note, checklist, causes FROM "+clickhouse.Ident(e.db)+
		".events WHERE type = 'case' AND location = ? AND time >= ? AND case_id = ? ORDER BY time, id", c.Location, c.Opened, id)
	if err != nil {
		return nil, nil, e.wrap(ctx, err)
	}
	defer rows.Close()
	var out []CaseAction
	for rows.Next() {
		var a CaseAction
		var checklist string
		if err := rows.Scan(&a.ID, &a.Time, &a.Action, &a.Actor, &a.Assignee, &a.Note, &checklist, &a.Causes); err != nil {
			return nil, nil, e.wrap(ctx, err)
		}
		a.Time = a.Time.UTC()
		if checklist != "" {
			_ = json.Unmarshal([]byte(checklist), &a.Checklist)
		}
		out = append(out, a)
	}
	return c, out, rows.Err()
}

// CaseFigures are the case KPIs of one group (a location, a region, or all) over the cases opened in a
// range.
type CaseFigures struct {
	Location   string             `json:"location,omitempty"`
	Region     string             `json:"region,omitempty"`
	Components kpi.CaseComponents `json:"components"`
	Values     []kpi.Value        `json:"values"`
	Pareto     []kpi.CauseShare   `json:"pareto"`
}

// CaseFiguresRequest groups by "location", "region" or "" (all selected locations together).
type CaseFiguresRequest struct {
	Locations, Regions []string
	From, To, Now      time.Time
	GroupBy            string
	Scope              func(string) bool
}

// CaseComponentsOf adds one case into c: in Go, for the inbox's figures and their Pareto, the sums the KPI
// statement (casekpis.go) makes in ClickHouse; TestCaseKPIs holds the two equal on every grouping, bucket
// and "now".
func CaseComponentsOf(c *Case, now time.Time, cc *config.Cases, into *kpi.CaseComponents) {
	into.Opened++
	if c.Status != CaseResolved {
		into.Open++
		if c.Overdue {
			into.Overdue++
		}
	}
	if c.FirstAction != nil {
		into.FirstActed++
		into.FirstActionSeconds += int64(c.FirstAction.Sub(c.Opened) / time.Second)
	}
	if c.Resolved != nil {
		into.Resolved++
		into.ResolveSeconds += int64(c.Resolved.Sub(c.Opened) / time.Second)
		if !c.Resolved.After(c.Due) {
			into.ResolvedInSLA++
		}
	}
	for _, cause := range c.Causes {
		if into.Causes == nil {
			into.Causes = map[string]int64{}
		}
		into.Causes[cause]++
	}
}

// caseValues are the case KPIs of the registry (kpi.CaseNames) on c, in listing order.
func caseValues(c *kpi.CaseComponents, opt kpi.Options) []kpi.Value {
	names := kpi.CaseNames()
	out := make([]kpi.Value, len(names))
	comps := kpi.Components{Case: c}
	for i, n := range names {
		out[i] = kpi.Compute(n, &comps, opt)
	}
	return out
}

// CaseFigures computes the case KPIs and the root-cause Pareto per group. Every case opened in the range
// counts (up to api.max_export_rows cases: beyond, the answer is refused rather than cut).
func (e *Engine) CaseFigures(ctx context.Context, r CaseFiguresRequest) ([]CaseFigures, error) {
	switch r.GroupBy {
	case "", "location", "region":
	default:
		return nil, inputErr("group_by", "must be location, region or empty, not %q", r.GroupBy)
	}
	limit := int(e.lim.MaxExportRows)
	if limit <= 0 {
		limit = 1_000_000
	}
	saved := e.casesConfig()
	cc := *saved
	cc.InboxLimit = limit + 1
	sub := *e
	sub.cases = &cc
	cs, err := sub.Cases(ctx, CasesRequest{Locations: r.Locations, Regions: r.Regions, From: r.From, To: r.To, Now: r.Now, Scope: r.Scope, Limit: limit + 1})
	if err != nil {
		return nil, err
	}
	if len(cs) > limit {
		return nil, &LimitError{Param: "from", Limit: "api.max_export_rows", Reason: fmt.Sprintf("more than %d cases in the range; narrow it", limit)}
	}
	groups := map[string]*CaseFigures{}
	var order []string
	for i := range cs {
		c := &cs[i]
		key := ""
		switch r.GroupBy {
		case "location":
			key = c.Location
		case "region":
			key = c.Region
		}
		g, ok := groups[key]
		if !ok {
			g = &CaseFigures{}
			if r.GroupBy == "location" {
				g.Location, g.Region = c.Location, c.Region
			} else if r.GroupBy == "region" {
				g.Region = key
			}
			groups[key] = g
			order = append(order, key)
		}
		CaseComponentsOf(c, r.Now, &cc, &g.Components)
	}
	if len(order) == 0 && r.GroupBy == "" {
		groups[""], order = &CaseFigures{}, []string{""}
	}
	slices.SortFunc(order, strings.Compare)
	out := make([]CaseFigures, 0, len(order))
	for _, k := range order {
		g := groups[k]
		g.Values = caseValues(&g.Components, e.opt)
		g.Pareto = kpi.Pareto(g.Components.Causes)
		out = append(out, *g)
	}
	return out, nil
}
