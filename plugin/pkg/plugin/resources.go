package plugin

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/cxm-project/cxm/internal/kpi"
)

// LocationInfo is a location of the registry as the editors and variables see it.
type LocationInfo struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Region    string  `json:"region"`
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

// KPIInfo is a KPI as the editors and variables see it.
type KPIInfo struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	Unit  string `json:"unit"`
}

// CallResource serves GET locations[?region=], regions and kpis for the query editor and template
// variables; the lists come from the cxm config and the engine, not from ClickHouse, so editors work
// even while the server is down.
func (d *Datasource) CallResource(_ context.Context, req *backend.CallResourceRequest, sender backend.CallResourceResponseSender) error {
	if err := d.setup(); err != nil {
		return sendJSON(sender, http.StatusBadRequest, map[string]string{"error": err.Error()})
	}
	if req.Method != http.MethodGet {
		return sendJSON(sender, http.StatusMethodNotAllowed, map[string]string{"error": "only GET is served"})
	}
	u, err := url.Parse(req.URL)
	if err != nil {
		return sendJSON(sender, http.StatusBadRequest, map[string]string{"error": "bad URL: " + err.Error()})
	}
	switch req.Path {
	case "locations":
		return sendJSON(sender, http.StatusOK, d.locationInfos(u.Query().Get("region")))
	case "regions":
		return sendJSON(sender, http.StatusOK, d.regions())
	case "kpis":
		return sendJSON(sender, http.StatusOK, kpiInfos())
	}
	return sendJSON(sender, http.StatusNotFound, map[string]string{"error": "no resource " + req.Path + ": use locations, regions or kpis"})
}

func (d *Datasource) locationInfos(region string) []LocationInfo {
	out := []LocationInfo{}
	for _, l := range d.cfg.Locations {
		if region == "" || l.Region == region {
			out = append(out, LocationInfo{ID: l.ID, Name: l.Name, Region: l.Region, Latitude: l.Latitude, Longitude: l.Longitude})
		}
	}
	return out
}

func (d *Datasource) regions() []string {
	out := []string{}
	for _, l := range d.cfg.Locations {
		if l.Region != "" && !slices.Contains(out, l.Region) {
			out = append(out, l.Region)
		}
	}
	slices.Sort(out)
	return out
}

func kpiInfos() []KPIInfo {
	out := make([]KPIInfo, len(kpi.Names))
	for i, k := range kpi.Names {
		d := displayOf(k)
		out[i] = KPIInfo{Name: k, Title: d.Title, Unit: d.Unit}
	}
	return out
}

func sendJSON(sender backend.CallResourceResponseSender, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return sender.Send(&backend.CallResourceResponse{
		Status:  status,
		Headers: map[string][]string{"Content-Type": {"application/json"}},
		Body:    body,
	})
}
