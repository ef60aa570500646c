package plugin

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/internal/query"
)

// QueryAudits is the ИВС of service-standard audits (internal/query.Audits): with auditVisits the latest
// visits; else with auditStep a time series per location (or group); else a table, one row per location,
// with by=factor one column per factor (a heat map with cell colours) and the visit's ИВС otherwise.
const QueryAudits = "audits"

// ConsoleLink opens the console's audits page, where evidence is shown to a signed-in reader (Grafana
// cannot send the token a download needs). ${console} is the dashboards' variable with the console's URL.
const ConsoleLink = "${console}#/audits"

func auditThresholds(th kpi.Threshold) *data.ThresholdsConfig {
	return thresholdsOf(query.Status{KPI: kpi.IVSName, Direction: kpi.HigherIsBetter, Yellow: &th.Yellow, Red: &th.Red})
}

func (d *Datasource) queryAudits(ctx context.Context, q Query) (data.Frames, error) {
	m := q.Model
	if !slices.Contains([]string{"", "factor", "employee", "element"}, m.AuditBy) {
		return nil, downstream(fmt.Errorf("auditBy: must be factor, employee or element (or empty), not %q", m.AuditBy))
	}
	if !slices.Contains([]string{"", "day", "week", "month"}, m.AuditStep) {
		return nil, downstream(fmt.Errorf("auditStep: must be day, week or month (or empty), not %q", m.AuditStep))
	}
	sel, err := SelectLocations(d.cfg.Locations, m)
	if err != nil {
		return nil, downstream(err)
	}
	if !sel.All && len(sel.IDs) == 0 {
		return data.Frames{}, nil
	}
	eng, err := d.engine(ctx)
	if err != nil {
		return nil, err
	}
	name := func(id string) string { return registryEntry(d.cfg.Locations, id).Name }
	th := d.cfg.Audits.Threshold()
	if m.AuditVisits {
		limit := m.Limit
		if limit == 0 {
			limit = 50
		}
		vs, err := eng.AuditVisits(ctx, query.AuditVisitsRequest{Locations: sel.IDs, From: q.From, To: inclusiveEnd(q.To), Template: m.Template, Limit: limit, Scope: d.scope})
		if err != nil {
			return nil, d.engineError(err)
		}
		f := data.NewFrame("audit_visits",
			data.NewField("time", nil, []time.Time{}).SetConfig(&data.FieldConfig{DisplayName: "Time"}),
			locationField([]string{}),
			data.NewField("name", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Name"}),
			data.NewField("template", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Checklist"}),
			data.NewField("employee", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Employee"}),
			data.NewField("score", nil, []*float64{}).SetConfig(&data.FieldConfig{DisplayName: "ИВС", Unit: "percent", Min: ptr(0), Max: ptr(100), Decimals: ptrU16(1),
				Thresholds: auditThresholds(th), Custom: map[string]any{"cellOptions": map[string]any{"type": "color-background"}}}),
			data.NewField("capped", nil, []bool{}).SetConfig(&data.FieldConfig{DisplayName: "Critical failed"}),
			data.NewField("evidence", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Evidence",
				Links: []data.DataLink{{Title: "Open the evidence in the console", URL: ConsoleLink, TargetBlank: true}}}),
		)
		for _, v := range vs {
			f.AppendRow(v.Time, v.Location, name(v.Location), v.Audit.Template, v.Audit.Employee, v.Score, v.Capped, strings.Join(v.Audit.Evidence, " "))
		}
		f.Meta = &data.FrameMeta{PreferredVisualization: data.VisTypeTable}
		f.RefID = q.RefID
		return data.Frames{f}, nil
	}
	group := query.GroupLocation
	if m.Group != "" {
		group = query.Group(m.Group)
	}
	series, err := eng.Audits(ctx, query.AuditsRequest{Locations: sel.IDs, From: q.From, To: inclusiveEnd(q.To), Template: m.Template,
		Group: group, By: m.AuditBy, Step: m.AuditStep, Threshold: th, Scope: d.scope})
	if err != nil {
		return nil, d.engineError(err)
	}
	value := func(p query.AuditPoint) *float64 { return p.Value }
	valueConfig := func(display string) *data.FieldConfig {
		return &data.FieldConfig{DisplayName: display, Unit: "percent", Min: ptr(0), Max: ptr(100), Decimals: ptrU16(1), Thresholds: auditThresholds(th),
			Custom: map[string]any{"cellOptions": map[string]any{"type": "color-background"}}}
	}
	titles := d.factorTitles()
	var frames data.Frames
	if m.AuditStep != "" {
		for _, s := range series {
			label := s.Key
			if group == query.GroupLocation {
				label = name(s.Key)
			}
			if s.Item != "" {
				label += " · " + cmpOr(titles[s.Template+"/"+s.Item], s.Item)
			}
			f := data.NewFrame("ivs",
				data.NewField("time", nil, []time.Time{}),
				data.NewField("ivs", data.Labels{"key": s.Key, "template": s.Template, "item": s.Item}, []*float64{}).SetConfig(valueConfig(label)),
				data.NewField("n", data.Labels{"key": s.Key, "template": s.Template, "item": s.Item}, []int64{}).SetConfig(&data.FieldConfig{DisplayName: label + " (visits)"}))
			for _, p := range s.Points {
				f.AppendRow(*p.Start, value(p), p.N)
			}
			f.RefID = q.RefID
			frames = append(frames, f)
		}
		return frames, nil
	}
	// A table: one row per key; by=factor one column per template/factor, else the visit's ИВС.
	var cols []string
	for _, s := range series {
		c := s.Template + "/" + s.Item
		if !slices.Contains(cols, c) {
			cols = append(cols, c)
		}
	}
	slices.Sort(cols)
	var keys []string
	cell := map[string]query.AuditPoint{}
	for _, s := range series {
		if !slices.Contains(keys, s.Key) {
			keys = append(keys, s.Key)
		}
		cell[s.Key+"|"+s.Template+"/"+s.Item] = s.Total
	}
	f := data.NewFrame("audits", locationField([]string{}), data.NewField("name", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Name"}))
	for _, c := range cols {
		tmpl, item, _ := strings.Cut(c, "/")
		display := "ИВС · " + tmpl
		if item != "" {
			display = cmpOr(titles[c], item)
		}
		f.Fields = append(f.Fields, data.NewField(c, nil, []*float64{}).SetConfig(valueConfig(display)))
		if m.AuditBy == "" {
			f.Fields = append(f.Fields, data.NewField(c+"/n", nil, []int64{}).SetConfig(&data.FieldConfig{DisplayName: "Visits · " + tmpl}))
		}
	}
	for _, k := range keys {
		row := []any{k, name(k)}
		for _, c := range cols {
			p, ok := cell[k+"|"+c]
			var v *float64
			if ok {
				v = p.Value
			}
			row = append(row, v)
			if m.AuditBy == "" {
				row = append(row, p.N)
			}
		}
		f.AppendRow(row...)
	}
	f.Meta = &data.FrameMeta{PreferredVisualization: data.VisTypeTable}
	f.RefID = q.RefID
	return data.Frames{f}, nil
}

// factorTitles are the English titles of every template's factors, by "template/factor".
func (d *Datasource) factorTitles() map[string]string {
	out := map[string]string{}
	for _, t := range d.cfg.Audits.Templates {
		for _, f := range t.Factors {
			out[t.ID+"/"+f.ID] = f.Title.EN
		}
	}
	return out
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
