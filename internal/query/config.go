package query

import (
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kpi"
)

// ForConfig is the engine the API and the Grafana plugin read through: the registry, the api.* limits and
// the kpi.nps_policy of one config, so both answer the same figure for the same question.
func ForConfig(conn driver.Conn, database string, cfg *config.Config) *Engine {
	a := cfg.API
	lim := Limits{
		Timeout: a.QueryTimeout, MaxPoints: a.MaxPoints, MaxRows: a.MaxRows, MaxRange: a.MaxRange,
		MaxLocations: a.MaxLocations, MaxExportRows: a.MaxExportRows,
	}
	return New(conn, database, cfg.Locations, lim).WithKPIOptions(kpi.Options{NPSPolicy: cfg.KPI.NPSPolicy()}).WithCases(&cfg.Cases).
		WithWhy(cfg.Reasons, cfg.Breakdown)
}
