package plugin

import (
	"context"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/internal/query"
)

// InboxURL links a case to its page in CXM's inbox. ${cxm_url} is a dashboard variable holding the
// address CXM's console is served at (the cases dashboard has it as a text box), since the data source
// talks to ClickHouse and does not know it.
const InboxURL = "${cxm_url:raw}/console/#/inbox/${__data.fields.id}"

// queryCases answers the cases query type with three frames: the cases opened in the range (newest
// first, each linking to the inbox), the case KPIs per location, and the root causes as a Pareto table
// (count, share, cumulative share) over the selected locations.
func (d *Datasource) queryCases(ctx context.Context, q Query) (data.Frames, error) {
	sel, err := SelectLocations(d.cfg.Locations, q.Model)
	if err != nil {
		return nil, downstream(err)
	}
	var cs []query.Case
	var perLoc, all []query.CaseFigures
	if sel.All || len(sel.IDs) > 0 {
		eng, err := d.engine(ctx)
		if err != nil {
			return nil, err
		}
		now := time.Now()
		to := inclusiveEnd(q.To)
		cs, err = eng.Cases(ctx, query.CasesRequest{Locations: sel.IDs, From: q.From, To: to, Now: now, Limit: q.EventsLimit(), Scope: d.scope})
		if err == nil {
			perLoc, err = eng.CaseFigures(ctx, query.CaseFiguresRequest{Locations: sel.IDs, From: q.From, To: to, Now: now, GroupBy: "location", Scope: d.scope})
		}
		if err == nil {
			all, err = eng.CaseFigures(ctx, query.CaseFiguresRequest{Locations: sel.IDs, From: q.From, To: to, Now: now, Scope: d.scope})
		}
		if err != nil {
			return nil, d.engineError(err)
		}
	}
	names := func(id string) string { return registryEntry(d.cfg.Locations, id).Name }
	var pareto []kpi.CauseShare
	if len(all) > 0 {
		pareto = all[0].Pareto
	}
	frames := data.Frames{casesFrame(cs, names), caseKPIFrame(perLoc, names), paretoFrame(pareto)}
	for _, f := range frames {
		f.RefID = q.RefID
	}
	return frames, nil
}

func casesFrame(cs []query.Case, name func(string) string) *data.Frame {
	f := data.NewFrame("cases",
		data.NewField("opened", nil, []time.Time{}).SetConfig(&data.FieldConfig{DisplayName: "Opened"}),
		data.NewField("id", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Case",
			Links: []data.DataLink{{Title: "Open in the inbox", URL: InboxURL, TargetBlank: true}}}),
		locationField([]string{}),
		data.NewField("name", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Name"}),
		data.NewField("rule", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Rule"}),
		data.NewField("status", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Status"}),
		data.NewField("overdue", nil, []bool{}).SetConfig(&data.FieldConfig{DisplayName: "Overdue"}),
		data.NewField("due", nil, []time.Time{}).SetConfig(&data.FieldConfig{DisplayName: "Due"}),
		data.NewField("assignee", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Assignee"}),
		data.NewField("causes", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Root causes"}),
		data.NewField("words", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Customer's words"}),
	)
	for _, c := range cs {
		words := ""
		if c.Words != nil {
			words = c.Words.Text
		}
		f.AppendRow(c.Opened, c.ID, c.Location, name(c.Location), c.Rule, c.Status, c.Overdue, c.Due, c.Assignee, strings.Join(c.Causes, ", "), words)
	}
	f.Meta = &data.FrameMeta{PreferredVisualization: data.VisTypeTable}
	return f
}

func caseKPIFrame(fs []query.CaseFigures, name func(string) string) *data.Frame {
	f := data.NewFrame("case_kpis", locationField([]string{}),
		data.NewField("name", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Name"}))
	for _, n := range kpi.CaseNames() {
		d, _ := kpi.MetaOf(n)
		f.Fields = append(f.Fields, data.NewField(d.Name, nil, []*float64{}).SetConfig(&data.FieldConfig{
			DisplayName: d.Title, Unit: d.Unit, Decimals: ptrU16(uint16(d.Decimals))}))
	}
	for _, g := range fs {
		row := []any{g.Location, name(g.Location)}
		for _, v := range g.Values {
			var p *float64
			if v.Valid {
				x := v.Value
				p = &x
			}
			row = append(row, p)
		}
		f.AppendRow(row...)
	}
	f.Meta = &data.FrameMeta{PreferredVisualization: data.VisTypeTable}
	return f
}

func paretoFrame(ps []kpi.CauseShare) *data.Frame {
	f := data.NewFrame("root_causes",
		data.NewField("cause", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Root cause"}),
		data.NewField("count", nil, []int64{}).SetConfig(&data.FieldConfig{DisplayName: "Cases"}),
		data.NewField("share", nil, []float64{}).SetConfig(&data.FieldConfig{DisplayName: "Share", Unit: "percent", Decimals: ptrU16(1)}),
		data.NewField("cumulative", nil, []float64{}).SetConfig(&data.FieldConfig{DisplayName: "Cumulative share", Unit: "percent", Decimals: ptrU16(1), Min: ptr(0), Max: ptr(100)}),
	)
	for _, p := range ps {
		f.AppendRow(p.Cause, p.Count, p.Share, p.Cumul)
	}
	f.Meta = &data.FrameMeta{PreferredVisualization: data.VisTypeTable}
	return f
}
