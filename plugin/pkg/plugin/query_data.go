package plugin

import (
	"context"
	"fmt"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// QueryData answers each query of the request on its own: one failing query does not fail the others.
func (d *Datasource) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	resp := backend.NewQueryDataResponse()
	for _, dq := range req.Queries {
		resp.Responses[dq.RefID] = d.query(ctx, dq, fromAlert(req))
	}
	return resp, nil
}

func (d *Datasource) query(ctx context.Context, dq backend.DataQuery, alert bool) backend.DataResponse {
	if err := d.setup(); err != nil {
		return backend.ErrorResponseWithErrorSource(err)
	}
	q, err := ParseQuery(dq)
	if err != nil {
		return backend.ErrorResponseWithErrorSource(downstream(err))
	}
	var frames data.Frames
	switch q.Type {
	case QueryTimeSeries:
		frames, err = d.queryTimeSeries(ctx, q)
	case QueryCurrent:
		frames, err = d.queryCurrent(ctx, q, alert)
	case QueryGeo:
		frames, err = d.queryGeo(ctx, q)
	case QueryEvents:
		frames, err = d.queryEvents(ctx, q)
	case QueryMaturity:
		frames, err = d.queryMaturity(ctx, q)
	case QueryCases:
		frames, err = d.queryCases(ctx, q)
	case QueryReasons, QueryBreakdown, QueryHandoff:
		frames, err = d.queryWhy(ctx, q)
	case QueryAudits:
		frames, err = d.queryAudits(ctx, q)
	default:
		err = fmt.Errorf("query type %q has no handler", q.Type) // ParseQuery rejects it first
	}
	if err != nil {
		return backend.ErrorResponseWithErrorSource(err)
	}
	return backend.DataResponse{Frames: frames}
}

// fromAlert reports whether Grafana's alerting sent the request (it sets the FromAlert header), which
// needs numbers with labels rather than tables.
func fromAlert(req *backend.QueryDataRequest) bool {
	return req.Headers["FromAlert"] == "true" || req.GetHTTPHeader("FromAlert") == "true"
}
