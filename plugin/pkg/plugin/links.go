package plugin

import "github.com/grafana/grafana-plugin-sdk-go/data"

// LocationDashboardURL drills down from any row to the location dashboard (dashboards/ has uid
// cxm-location) with its location variable set, keeping the time range. It cannot carry the source
// dashboard's variables: it sits on every dashboard, whose variables it does not know (the dashboards'
// own links add ${__all_variables}).
const LocationDashboardURL = "/d/cxm-location?var-location=${__data.fields.location}&${__url_time_range}"

func locationLinks() []data.DataLink {
	return []data.DataLink{{Title: "Location dashboard", URL: LocationDashboardURL}}
}

// locationField is the location id column of table frames, linking to the location dashboard.
func locationField(ids []string) *data.Field {
	return data.NewField("location", nil, ids).SetConfig(&data.FieldConfig{DisplayName: "Location", Links: locationLinks()})
}
