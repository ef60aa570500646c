package plugin

import (
	"context"
	"errors"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/cxm-project/cxm/internal/query"
)

// engine returns the shared KPI query engine on the open connection, with the limits of the cxm
// config's api section: the plugin answers exactly what the API would.
func (d *Datasource) engine(ctx context.Context) (*query.Engine, error) {
	conn, err := d.connection(ctx)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.eng == nil {
		d.eng = query.ForConfig(conn, d.settings.Database, d.cfg)
	}
	return d.eng, nil
}

// engineError marks the engine's errors: bad input, limits, timeouts and ClickHouse failures are all the
// user's or the server's, so downstream.
func engineError(err error) error {
	var in *query.InputError
	var lim *query.LimitError
	var to *query.TimeoutError
	if errors.As(err, &in) || errors.As(err, &lim) || errors.As(err, &to) {
		return backend.DownstreamError(err)
	}
	return downstream(err)
}
