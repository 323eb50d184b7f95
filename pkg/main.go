// Command gpx_lens_datasource is the backend of the Latency Lens data source.
package main

import (
	"os"

	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/latencylens/lens/pkg/gctune"
	"github.com/latencylens/lens/pkg/plugin"
)

// PluginID is the data source's ID in src/datasource/plugin.json.
const PluginID = "latencylens-lens-datasource"

func main() {
	gctune.TuneGC()
	if err := datasource.Manage(PluginID, plugin.NewDatasource, datasource.ManageOpts{}); err != nil {
		log.DefaultLogger.Error(err.Error())
		os.Exit(1)
	}
}
