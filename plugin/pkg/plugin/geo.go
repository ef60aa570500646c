package plugin

import (
	"context"
	"slices"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/query"
)

// queryGeo answers the geo query type: one row per registered location with its coordinates (numeric
// latitude and longitude fields, which Geomap's auto location mode reads), its worst current status —
// the colour of its flag — and which KPIs have it, and every KPI's current value.
func (d *Datasource) queryGeo(ctx context.Context, q Query) (data.Frames, error) {
	sel, err := SelectLocations(d.cfg.Locations, q.Model)
	if err != nil {
		return nil, downstream(err)
	}
	sts, err := d.statuses(ctx, q)
	if err != nil {
		return nil, err
	}
	var locs []config.Location
	for _, l := range d.cfg.Locations {
		if sel.All || slices.Contains(sel.IDs, l.ID) {
			locs = append(locs, l)
		}
	}
	f := geoFrame(locs, currentStatuses(sts, q.Model.Window, nil, d.ownWindow), q.kpis())
	f.RefID = q.RefID
	return data.Frames{f}, nil
}

// worst is a location's worst status (as the API's /v1/locations computes it: grey ranks lowest) and
// the KPIs that have it.
func geoFrame(locs []config.Location, sts []query.Status, kpis []string) *data.Frame {
	byLoc := map[string][]query.Status{}
	ids := make([]string, len(locs))
	for i, l := range locs {
		ids[i] = l.ID
	}
	for _, st := range sts {
		byLoc[st.Location] = append(byLoc[st.Location], st)
	}
	flags := query.Flags(ids, sts)
	n := len(locs)
	id, name, region, status, worstKPI := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	lat, lon := make([]float64, n), make([]float64, n)
	rank := make([]int64, n)
	values := make([][]*float64, len(kpis))
	for k := range values {
		values[k] = make([]*float64, n)
	}
	for i, l := range locs {
		id[i], name[i], region[i], lat[i], lon[i] = l.ID, l.Name, l.Region, l.Latitude, l.Longitude
		flag := flags[l.ID]
		status[i], worstKPI[i] = flag.Status.String(), strings.Join(flag.KPIs, ",")
		rank[i] = int64(flag.Status) // grey 0, green 1, yellow 2, red 3: the Enum8 numbers rankThresholds colour
		for _, st := range byLoc[l.ID] {
			for k, name := range kpis {
				if st.KPI == name {
					values[k][i] = st.Value
				}
			}
		}
	}
	f := data.NewFrame("geo",
		locationField(id),
		data.NewField("name", nil, name).SetConfig(&data.FieldConfig{DisplayName: "Name", Links: locationLinks()}),
		data.NewField("region", nil, region).SetConfig(&data.FieldConfig{DisplayName: "Region"}),
		data.NewField("latitude", nil, lat).SetConfig(&data.FieldConfig{DisplayName: "Latitude", Decimals: ptrU16(4)}),
		data.NewField("longitude", nil, lon).SetConfig(&data.FieldConfig{DisplayName: "Longitude", Decimals: ptrU16(4)}),
		statusField("status", "Status", status),
		data.NewField("status_rank", nil, rank).SetConfig(&data.FieldConfig{
			DisplayName: "Status rank", Min: ptr(0), Max: ptr(3), Decimals: ptrU16(0), Thresholds: rankThresholds(),
			Links: locationLinks(),
		}),
		data.NewField("worst_kpi", nil, worstKPI).SetConfig(&data.FieldConfig{DisplayName: "Worst KPI"}),
	)
	for k, kpi := range kpis {
		d := displayOf(kpi)
		fc := kpiFieldConfig(d, d.Title)
		var ofKPI []query.Status
		for _, st := range sts {
			if st.KPI == kpi {
				ofKPI = append(ofKPI, st)
			}
		}
		fc.Thresholds = sharedThresholds(ofKPI)
		f.Fields = append(f.Fields, data.NewField(kpi, nil, values[k]).SetConfig(fc))
	}
	f.Meta = &data.FrameMeta{PreferredVisualization: data.VisTypeTable}
	return f
}
