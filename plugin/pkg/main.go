// Command gpx_cxm is the backend of the cxm-kpi-datasource Grafana plugin; Grafana starts it and talks
// to it over the plugin gRPC protocol.
package main

import (
	"os"

	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/cxm-project/cxm/plugin/pkg/plugin"
)

func main() {
	if err := datasource.Manage(plugin.ID, plugin.NewDatasource, datasource.ManageOpts{}); err != nil {
		log.DefaultLogger.Error("cxm plugin stopped", "error", err.Error())
		os.Exit(1)
	}
}
