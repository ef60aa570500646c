package plugin

import (
	"context"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/cxm-project/cxm/internal/query"
)

// queryCurrent answers the current query type from kpi_status through the engine (the latest row per
// location, KPI and window by argMax of evaluated_at): the same traffic lights the API serves and
// Alertmanager fires on. Panels get one row per location and KPI; alert rules get a numeric long frame
// (string columns become labels, value the number).
func (d *Datasource) queryCurrent(ctx context.Context, q Query, fromAlert bool) (data.Frames, error) {
	sts, err := d.statuses(ctx, q)
	if err != nil {
		return nil, err
	}
	cur := currentStatuses(sts, q.Model.Window, q.Model.KPIs, d.ownWindow)
	if fromAlert {
		return data.Frames{d.currentAlertFrame(q.RefID, cur)}, nil
	}
	return data.Frames{d.currentFrame(q.RefID, cur, q.Model.KPIs)}, nil
}

// statuses reads the latest statuses of the query's locations.
func (d *Datasource) statuses(ctx context.Context, q Query) ([]query.Status, error) {
	sel, err := SelectLocations(d.cfg.Locations, q.Model)
	if err != nil {
		return nil, downstream(err)
	}
	if !sel.All && len(sel.IDs) == 0 {
		return nil, nil
	}
	eng, err := d.engine(ctx)
	if err != nil {
		return nil, err
	}
	sts, err := eng.Statuses(ctx, sel.IDs, d.scope)
	if err != nil {
		return nil, d.engineError(err)
	}
	return sts, nil
}

func (d *Datasource) currentFrame(refID string, sts []query.Status, kpis []string) *data.Frame {
	n := len(sts)
	var (
		loc, name, region, kpi, title, window, status = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		value, low, high, yellow, red                 = make([]*float64, n), make([]*float64, n), make([]*float64, n), make([]*float64, n), make([]*float64, n)
		count                                         = make([]int64, n)
		evaluated, since                              = make([]time.Time, n), make([]time.Time, n)
	)
	for i, st := range sts {
		l := registryEntry(d.cfg.Locations, st.Location)
		loc[i], name[i], region[i] = st.Location, l.Name, l.Region
		kpi[i], title[i], window[i], status[i] = st.KPI, displayOf(st.KPI).Title, st.Window, st.Status.String()
		value[i], low[i], high[i], yellow[i], red[i] = st.Value, st.Low, st.High, st.Yellow, st.Red
		count[i], evaluated[i], since[i] = st.N, st.EvaluatedAt, st.Since
	}
	// With one KPI the value column is that KPI's: unit, bounds and, when every location shares them,
	// its thresholds; with several it is a plain number and the status column carries the colour.
	valueCfg := &data.FieldConfig{DisplayName: "Value", Links: locationLinks()}
	if len(kpis) == 1 {
		valueCfg = kpiFieldConfig(displayOf(kpis[0]), displayOf(kpis[0]).Title)
		valueCfg.Thresholds = sharedThresholds(sts)
	}
	f := data.NewFrame("current",
		locationField(loc),
		data.NewField("name", nil, name).SetConfig(&data.FieldConfig{DisplayName: "Name", Links: locationLinks()}),
		data.NewField("region", nil, region).SetConfig(&data.FieldConfig{DisplayName: "Region"}),
		data.NewField("kpi", nil, kpi).SetConfig(&data.FieldConfig{DisplayName: "KPI id"}),
		data.NewField("kpi_title", nil, title).SetConfig(&data.FieldConfig{DisplayName: "KPI"}),
		data.NewField("window", nil, window).SetConfig(&data.FieldConfig{DisplayName: "Window"}),
		data.NewField("value", nil, value).SetConfig(valueCfg),
		data.NewField("n", nil, count).SetConfig(&data.FieldConfig{DisplayName: "n", Unit: "short", Decimals: ptrU16(0)}),
		data.NewField("low", nil, low).SetConfig(&data.FieldConfig{DisplayName: "95% low", Decimals: ptrU16(2)}),
		data.NewField("high", nil, high).SetConfig(&data.FieldConfig{DisplayName: "95% high", Decimals: ptrU16(2)}),
		statusField("status", "Status", status),
		data.NewField("yellow", nil, yellow).SetConfig(&data.FieldConfig{DisplayName: "Yellow at"}),
		data.NewField("red", nil, red).SetConfig(&data.FieldConfig{DisplayName: "Red at"}),
		data.NewField("evaluated_at", nil, evaluated).SetConfig(&data.FieldConfig{DisplayName: "Evaluated"}),
		data.NewField("since", nil, since).SetConfig(&data.FieldConfig{DisplayName: "Status since"}),
	)
	f.RefID = refID
	f.Meta = &data.FrameMeta{PreferredVisualization: data.VisTypeTable}
	return f
}

// currentAlertFrame is a numeric long frame for alert rules: one number per location and KPI, labelled.
func (d *Datasource) currentAlertFrame(refID string, sts []query.Status) *data.Frame {
	n := len(sts)
	loc, region, kpi, window := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	value := make([]*float64, n)
	for i, st := range sts {
		loc[i], region[i], kpi[i], window[i] = st.Location, registryEntry(d.cfg.Locations, st.Location).Region, st.KPI, st.Window
		value[i] = st.Value
	}
	f := data.NewFrame("current",
		data.NewField("location", nil, loc), data.NewField("region", nil, region),
		data.NewField("kpi", nil, kpi), data.NewField("window", nil, window),
		data.NewField("value", nil, value),
	)
	f.RefID = refID
	f.Meta = &data.FrameMeta{Type: data.FrameTypeNumericLong, TypeVersion: data.FrameTypeVersion{0, 1}}
	return f
}

// sharedThresholds are the thresholds of the statuses when all of them have the same; nil otherwise.
func sharedThresholds(sts []query.Status) *data.ThresholdsConfig {
	var first *data.ThresholdsConfig
	for i, st := range sts {
		th := thresholdsOf(st)
		if i == 0 {
			first = th
			continue
		}
		if !sameThresholds(first, th) {
			return nil
		}
	}
	return first
}

func sameThresholds(a, b *data.ThresholdsConfig) bool {
	if a == nil || b == nil {
		return a == b
	}
	if len(a.Steps) != len(b.Steps) {
		return false
	}
	for i := range a.Steps {
		if a.Steps[i] != b.Steps[i] {
			return false
		}
	}
	return true
}
