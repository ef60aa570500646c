package plugin

import (
	"context"
	"errors"
	"fmt"

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
		full := *d.cfg
		full.Locations = d.registry
		d.eng = query.ForConfig(conn, d.settings.Database, &full)
	}
	return d.eng, nil
}

// engineError classifies the engine's errors. Bad input, limits, scope and timeouts are the user's to
// fix and are shown as they are (they name the parameter and the limit, nothing of the server); any other
// failure is ClickHouse's or the network's: its text can hold server internals (hosts, SQL, stack), so it
// goes to the Grafana server log and the panel gets a generic message. All are downstream.
func (d *Datasource) engineError(err error) error {
	var (
		in  *query.InputError
		lim *query.LimitError
		sc  *query.ScopeError
		to  *query.TimeoutError
	)
	switch {
	case errors.As(err, &in), errors.As(err, &lim), errors.As(err, &to):
		return backend.DownstreamError(err)
	case errors.As(err, &sc):
		return backend.DownstreamError(fmt.Errorf("location: this data source may not read %q (its locations/regions setting)", sc.Location))
	case errors.Is(err, context.Canceled):
		return backend.DownstreamError(err)
	}
	backend.Logger.Error("cxm query failed", "error", err.Error())
	return backend.DownstreamError(errors.New("ClickHouse: the query failed; the Grafana server log has the details"))
}
