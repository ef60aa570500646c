package plugin

import "github.com/grafana/grafana-plugin-sdk-go/backend"

// downstream marks an error the user or ClickHouse caused, so Grafana does not count it against the
// plugin (SLOs, error source in logs and alerting).
func downstream(err error) error {
	if err == nil || backend.IsDownstreamError(err) {
		return err
	}
	return backend.DownstreamError(err)
}
