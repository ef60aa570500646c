package plugin

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

func callResource(t *testing.T, h backend.CallResourceHandler, method, path, url string) *backend.CallResourceResponse {
	t.Helper()
	var got *backend.CallResourceResponse
	err := h.CallResource(context.Background(), &backend.CallResourceRequest{Method: method, Path: path, URL: url},
		backend.CallResourceResponseSenderFunc(func(r *backend.CallResourceResponse) error { got = r; return nil }))
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestCallResource(t *testing.T) {
	env := newTestEnv(t)
	tests := []struct {
		method, path, url string
		status            int
		body              string
	}{
		{"GET", "locations", "locations", http.StatusOK,
			`[{"id":"store-a","name":"Alpha","region":"central","latitude":55.75,"longitude":37.62},{"id":"store-b","name":"Beta","region":"northwest","latitude":59.93,"longitude":30.34},{"id":"store-c","name":"Gamma","region":"central","latitude":55.79,"longitude":37.66}]`},
		{"GET", "locations", "locations?region=northwest", http.StatusOK,
			`[{"id":"store-b","name":"Beta","region":"northwest","latitude":59.93,"longitude":30.34}]`},
		{"GET", "locations", "locations?region=nowhere", http.StatusOK, `[]`},
		{"GET", "regions", "regions", http.StatusOK, `["central","northwest"]`},
		{"GET", "kpis", "kpis", http.StatusOK,
			`[{"name":"nps","title":"NPS","unit":"none"},{"name":"csat","title":"CSAT","unit":"percent"},{"name":"ces","title":"CES","unit":"none"},{"name":"smile_index","title":"Smile-Index","unit":"none"},{"name":"like_index","title":"Like-Index","unit":"none"},{"name":"visitors","title":"Visitors","unit":"short"},{"name":"receipts","title":"Receipts","unit":"short"},{"name":"revenue","title":"Revenue","unit":"short"},{"name":"conversion","title":"Conversion","unit":"percent"},{"name":"consultations","title":"Consultations","unit":"short"},{"name":"coverage","title":"Coverage","unit":"percent"},{"name":"avg_receipt","title":"Average receipt","unit":"short"},{"name":"items_per_receipt","title":"Items per receipt","unit":"short"},` +
				`{"name":"cases_opened","title":"Cases opened","unit":"short"},{"name":"cases_open","title":"Open cases","unit":"short"},{"name":"cases_overdue","title":"Overdue cases","unit":"short"},` +
				`{"name":"case_first_action_hours","title":"Time to first action","unit":"h"},{"name":"case_resolution_hours","title":"Time to resolution","unit":"h"},{"name":"cases_resolved_in_sla","title":"Resolved within SLA","unit":"percent"}]`},
		{"GET", "tables", "tables", http.StatusNotFound, `{"error":"no resource tables: use locations, regions or kpis"}`},
		{"POST", "locations", "locations", http.StatusMethodNotAllowed, `{"error":"only GET is served"}`},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.url, func(t *testing.T) {
			r := callResource(t, env.ds, tt.method, tt.path, tt.url)
			if r.Status != tt.status || string(r.Body) != tt.body {
				t.Errorf("got %d %s\nwant %d %s", r.Status, r.Body, tt.status, tt.body)
			}
			if !json.Valid(r.Body) {
				t.Errorf("body is not JSON")
			}
		})
	}
}
