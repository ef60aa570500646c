package plugin

import (
	"context"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/cxm-project/cxm/internal/query"
)

// Series grouping of the time series query (src/types.ts has the same names).
var groups = map[string]query.Group{"": query.GroupLocation, "location": query.GroupLocation, "region": query.GroupRegion, "all": query.GroupAll}

// queryTimeSeries answers the timeseries query type through the shared engine: one frame per series
// (location, region or all, and KPI) with labels, so alert rules get one numeric series per location.
func (d *Datasource) queryTimeSeries(ctx context.Context, q Query) (data.Frames, error) {
	sel, err := SelectLocations(d.cfg.Locations, q.Model)
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
	from, to := minuteRange(q.From, q.To)
	req := query.Request{
		KPIs: q.kpis(), Locations: sel.IDs, Group: groups[q.Model.Group], From: from, To: to,
		Step: ChooseStep(q.Interval, from, to, q.MaxDataPoints), Scope: d.scope,
	}
	res, err := eng.KPIs(ctx, req)
	if err != nil {
		return nil, d.engineError(err)
	}
	// Thresholds per location and KPI from the latest statuses; a region or all series has none.
	var th map[string]query.Status
	if req.Group == query.GroupLocation {
		sts, err := eng.Statuses(ctx, sel.IDs, d.scope)
		if err != nil {
			return nil, d.engineError(err)
		}
		th = latestThresholds(sts)
	}
	frames := make(data.Frames, 0, len(res.Series))
	for _, s := range res.Series {
		frames = append(frames, d.seriesFrame(q.RefID, s, th))
	}
	return frames, nil
}

func (d *Datasource) seriesFrame(refID string, s query.Series, th map[string]query.Status) *data.Frame {
	times := make([]time.Time, len(s.Points))
	values := make([]*float64, len(s.Points))
	for i, p := range s.Points {
		times[i] = p.Time
		values[i], _ = pointValue(p)
	}
	disp := displayOf(s.KPI)
	labels := data.Labels{"kpi": s.KPI}
	name := disp.Title
	fc := kpiFieldConfig(disp, "")
	fc.Links = nil
	switch {
	case s.Location != "":
		labels["location"], labels["region"] = s.Location, s.Region
		name = registryEntry(d.cfg.Locations, s.Location).Name + " · " + disp.Title
		fc.Links = []data.DataLink{{Title: "Location dashboard", URL: "/d/cxm-location?var-location=${__field.labels.location}"}}
		if st, ok := th[s.Location+"\x00"+s.KPI]; ok {
			fc.Thresholds = thresholdsOf(st)
		}
	case s.Region != "":
		labels["region"] = s.Region
		name = s.Region + " · " + disp.Title
	}
	fc.DisplayName = name
	f := data.NewFrame(s.KPI,
		data.NewField("time", nil, times),
		data.NewField("value", labels, values).SetConfig(fc),
	)
	f.RefID = refID
	f.Meta = &data.FrameMeta{Type: data.FrameTypeTimeSeriesMulti, TypeVersion: data.FrameTypeVersion{0, 1}}
	return f
}

// latestThresholds keys each location and KPI's status row with limits, preferring the shortest window
// (the limits are per KPI and location, the same for every window).
func latestThresholds(sts []query.Status) map[string]query.Status {
	out := map[string]query.Status{}
	for _, st := range sts {
		if st.Yellow == nil && st.Red == nil {
			continue
		}
		k := st.Location + "\x00" + st.KPI
		if cur, ok := out[k]; !ok || windowLess(st.Window, cur.Window) {
			out[k] = st
		}
	}
	return out
}
