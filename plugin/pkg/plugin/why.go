package plugin

import (
	"context"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/cxm-project/cxm/internal/query"
)

// WhyDashboardURL drills down from a location to its "Why" dashboard (dashboards/cxm-why.json) keeping
// the time range: reasons, subjects and employees behind its figures.
const WhyDashboardURL = "/d/cxm-why?var-location=${__data.fields.location}&${__url_time_range}"

// queryWhy answers the reasons, breakdown and hand-off query types with one table frame each, from the
// engine's figures (internal/query/why.go): the same numbers as /v1/reasons, /v1/breakdown, /v1/handoff.
func (d *Datasource) queryWhy(ctx context.Context, q Query) (data.Frames, error) {
	sel, err := SelectLocations(d.cfg.Locations, q.Model)
	if err != nil {
		return nil, downstream(err)
	}
	// The components are stored per minute: the range widens to whole minutes.
	from := q.From.Truncate(time.Minute)
	to := q.To.Truncate(time.Minute)
	if to.Before(q.To) {
		to = to.Add(time.Minute)
	}
	req := query.WhyRequest{Locations: sel.IDs, From: from, To: to, Scope: d.scope, Group: q.Model.By, Keys: q.Model.Keys}
	var f *data.Frame
	if sel.All || len(sel.IDs) > 0 {
		eng, err := d.engine(ctx)
		if err != nil {
			return nil, err
		}
		switch q.Type {
		case QueryReasons:
			rows, err := eng.Reasons(ctx, req)
			if err != nil {
				return nil, d.engineError(err)
			}
			f = reasonsFrame(rows)
		case QueryBreakdown:
			rows, err := eng.Breakdown(ctx, req)
			if err != nil {
				return nil, d.engineError(err)
			}
			f = breakdownFrame(q.Model.By, rows)
		case QueryHandoff:
			rows, err := eng.Handoffs(ctx, req)
			if err != nil {
				return nil, d.engineError(err)
			}
			f = handoffFrame(rows)
		}
	} else {
		switch q.Type {
		case QueryReasons:
			f = reasonsFrame(nil)
		case QueryBreakdown:
			f = breakdownFrame(q.Model.By, nil)
		default:
			f = handoffFrame(nil)
		}
	}
	f.RefID = q.RefID
	f.Meta = &data.FrameMeta{PreferredVisualization: data.VisTypeTable}
	return data.Frames{f}, nil
}

func pct() *data.FieldConfig {
	return &data.FieldConfig{Unit: "percentunit", Min: ptr(0), Max: ptr(1), Decimals: ptrU16(1)}
}

func named(c *data.FieldConfig, name string) *data.FieldConfig {
	c.DisplayName = name
	return c
}

func reasonsFrame(rows []query.ReasonShare) *data.Frame {
	f := data.NewFrame("reasons",
		locationField([]string{}),
		data.NewField("polarity", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "List"}),
		data.NewField("reason", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Code"}),
		data.NewField("title", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Reason"}),
		data.NewField("title_ru", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Причина"}),
		data.NewField("count", nil, []int64{}).SetConfig(&data.FieldConfig{DisplayName: "Answers"}),
		data.NewField("total", nil, []int64{}).SetConfig(&data.FieldConfig{DisplayName: "Of"}),
		data.NewField("share", nil, []float64{}).SetConfig(named(pct(), "Share")),
		data.NewField("low", nil, []float64{}).SetConfig(named(pct(), "95 % low")),
		data.NewField("high", nil, []float64{}).SetConfig(named(pct(), "95 % high")),
		data.NewField("cumulative", nil, []float64{}).SetConfig(named(pct(), "Pareto (cumulative)")),
		data.NewField("baseline_share", nil, []*float64{}).SetConfig(named(pct(), "Usual share")),
		data.NewField("p", nil, []*float64{}).SetConfig(&data.FieldConfig{DisplayName: "Rise p-value", Decimals: ptrU16(4)}),
		data.NewField("rising", nil, []bool{}).SetConfig(&data.FieldConfig{DisplayName: "Rising"}),
	)
	for _, r := range rows {
		f.AppendRow(r.Location, r.Polarity, r.Reason, r.TitleEN, r.TitleRU, r.Count, r.Total, r.Share, r.Low, r.High, r.Cumulative, r.BaselineShare, r.P, r.Rising)
	}
	return f
}

func breakdownFrame(by string, rows []query.BreakdownRow) *data.Frame {
	keyName := "Subject"
	if by == "seller" {
		keyName = "Employee"
	}
	f := data.NewFrame("breakdown_"+by,
		data.NewField("key", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: keyName}),
		data.NewField("n", nil, []int64{}).SetConfig(&data.FieldConfig{DisplayName: "n"}),
		data.NewField("withheld", nil, []bool{}).SetConfig(&data.FieldConfig{DisplayName: "Below min. sample"}),
	)
	type col struct {
		name, title string
		cfg         *data.FieldConfig
		get         func(r *query.BreakdownRow) *float64
	}
	i64 := func(p *int64) *float64 {
		if p == nil {
			return nil
		}
		v := float64(*p)
		return &v
	}
	var cols []col
	if by == "seller" {
		cols = []col{
			{"consultations", "Consultations", &data.FieldConfig{Decimals: ptrU16(0)}, func(r *query.BreakdownRow) *float64 { return i64(r.Consultations) }},
			{"receipts", "Receipts (net)", &data.FieldConfig{Decimals: ptrU16(0)}, func(r *query.BreakdownRow) *float64 { return i64(r.Receipts) }},
			{"refunds", "Refunds", &data.FieldConfig{Decimals: ptrU16(0)}, func(r *query.BreakdownRow) *float64 { return i64(r.Refunds) }},
			{"revenue", "Revenue (net)", &data.FieldConfig{Decimals: ptrU16(2)}, func(r *query.BreakdownRow) *float64 { return r.Revenue }},
			{"avg_receipt", "Average receipt", &data.FieldConfig{Decimals: ptrU16(2)}, func(r *query.BreakdownRow) *float64 { return r.AvgReceipt }},
			{"items_per_receipt", "Items per receipt", &data.FieldConfig{Decimals: ptrU16(2)}, func(r *query.BreakdownRow) *float64 { return r.ItemsPer }},
		}
	} else {
		cols = []col{
			{"likes", "Likes", &data.FieldConfig{Decimals: ptrU16(0)}, func(r *query.BreakdownRow) *float64 { return i64(r.Likes) }},
			{"dislikes", "Dislikes", &data.FieldConfig{Decimals: ptrU16(0)}, func(r *query.BreakdownRow) *float64 { return i64(r.Dislikes) }},
			{"like_index", "Like-Index", &data.FieldConfig{Min: ptr(-100), Max: ptr(100), Decimals: ptrU16(0)}, func(r *query.BreakdownRow) *float64 { return r.LikeIndex }},
			{"low", "95 % low", &data.FieldConfig{Decimals: ptrU16(0)}, func(r *query.BreakdownRow) *float64 { return r.Low }},
			{"high", "95 % high", &data.FieldConfig{Decimals: ptrU16(0)}, func(r *query.BreakdownRow) *float64 { return r.High }},
		}
	}
	for _, c := range cols {
		c.cfg.DisplayName = c.title
		f.Fields = append(f.Fields, data.NewField(c.name, nil, []*float64{}).SetConfig(c.cfg))
	}
	for i := range rows {
		r := &rows[i]
		row := []any{r.Key, r.N, r.Withheld}
		for _, c := range cols {
			row = append(row, c.get(r))
		}
		f.AppendRow(row...)
	}
	return f
}

func handoffFrame(rows []query.Handoff) *data.Frame {
	f := data.NewFrame("handoff",
		locationField([]string{}),
		data.NewField("platform", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Review site"}),
		data.NewField("shown", nil, []int64{}).SetConfig(&data.FieldConfig{DisplayName: "Invitations shown"}),
		data.NewField("clicks", nil, []int64{}).SetConfig(&data.FieldConfig{DisplayName: "Clicks"}),
		data.NewField("rate", nil, []*float64{}).SetConfig(named(pct(), "Hand-off rate")),
		data.NewField("low", nil, []*float64{}).SetConfig(named(pct(), "95 % low")),
		data.NewField("high", nil, []*float64{}).SetConfig(named(pct(), "95 % high")),
	)
	for _, r := range rows {
		p := r.Platform
		if p == "" {
			p = "all"
		}
		f.AppendRow(r.Location, p, r.Shown, r.Clicks, r.Rate, r.Low, r.High)
	}
	return f
}
