// Package plugin is the backend of the cxm-kpi-datasource Grafana plugin: QueryData for time series,
// current values, geo maps, raw events and CX maturity, CheckHealth, and resources for editors and
// template variables. KPI figures come from the shared query engine (internal/query), so a number is the
// same in Grafana as in the API.
package plugin

import (
	"context"
	"sync"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/query"
)

// ID is the plugin id of plugin.json.
const ID = "cxm-kpi-datasource"

var (
	_ backend.QueryDataHandler      = (*Datasource)(nil)
	_ backend.CheckHealthHandler    = (*Datasource)(nil)
	_ backend.CallResourceHandler   = (*Datasource)(nil)
	_ instancemgmt.InstanceDisposer = (*Datasource)(nil)
)

// Datasource is one configured data source. The ClickHouse connection is opened on first use and retried
// on every call until it works, so a server that is down when Grafana starts does not need a restart of
// the plugin, and CheckHealth can say what is wrong instead of the instance failing to exist.
type Datasource struct {
	settings Settings
	// settingsErr is a configuration error, reported by every call.
	settingsErr error
	cfg         *config.Config
	cfgErr      error
	// registry is the whole location registry; cfg.Locations is the part the scope allows.
	registry []config.Location
	// scope is the data source's locations/regions setting (nil: every location).
	scope func(string) bool

	mu   sync.Mutex
	conn driver.Conn
	eng  *query.Engine
}

// NewDatasource is the instance factory Grafana's instance manager calls when settings change.
func NewDatasource(_ context.Context, s backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	return newDatasource(s), nil
}

func newDatasource(s backend.DataSourceInstanceSettings) *Datasource {
	d := &Datasource{}
	d.settings, d.settingsErr = ParseSettings(s)
	if d.settingsErr == nil {
		d.cfg, d.cfgErr = d.settings.LoadCXMConfig()
	}
	if d.cfgErr == nil && d.cfg != nil {
		// The engine keeps the whole registry so that a location outside the scope is refused as such
		// rather than unknown; everything else sees the scoped one.
		d.registry = d.cfg.Locations
		scoped := *d.cfg
		if scoped.Locations, d.scope, d.settingsErr = scopeLocations(d.settings, d.cfg.Locations); d.settingsErr == nil {
			d.cfg = &scoped
		}
	}
	return d
}

// setup returns the configuration problem, if any, as a downstream error: the user fixes it in Grafana.
func (d *Datasource) setup() error {
	if d.settingsErr != nil {
		return backend.DownstreamError(d.settingsErr)
	}
	if d.cfgErr != nil {
		return backend.DownstreamError(d.cfgErr)
	}
	return nil
}

// connection returns the open connection, opening it when needed.
func (d *Datasource) connection(ctx context.Context) (driver.Conn, error) {
	if err := d.setup(); err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.conn != nil {
		return d.conn, nil
	}
	conn, err := clickhouse.Open(ctx, d.settings.ClickHouse())
	if err != nil {
		return nil, backend.DownstreamError(describeOpenError(d.settings, err))
	}
	d.conn = conn
	return conn, nil
}

// Dispose closes the connection when Grafana replaces the instance (settings changed or deleted).
func (d *Datasource) Dispose() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.conn != nil {
		d.conn.Close()
		d.conn, d.eng = nil, nil
	}
}
