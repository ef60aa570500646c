package plugin

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/grpcplugin"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
)

// The harness drives the plugin the way Grafana does: it builds the gpx_cxm executable from plugin/pkg,
// starts it with hashicorp/go-plugin and the SDK's handshake (protocol 2, magic cookie
// grafana_plugin_type=datasource), and calls CheckHealth, CallResource and QueryData over gRPC against the
// real ClickHouse. The answers must equal the golden frames the in-process tests assert, byte for byte.

// buildPlugin compiles the backend executable as the Makefile does.
func buildPlugin(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gpx_cxm_"+runtime.GOOS+"_"+runtime.GOARCH)
	cmd := exec.Command("go", "build", "-o", bin, "github.com/cxm-project/cxm/plugin/pkg")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build plugin/pkg: %v\n%s", err, out)
	}
	return bin
}

type pluginClients struct {
	diag pluginv2.DiagnosticsClient
	res  pluginv2.ResourceClient
	data pluginv2.DataClient
}

// startPlugin starts the executable as Grafana's plugin manager does and dispenses its gRPC services.
func startPlugin(t *testing.T, bin string) pluginClients {
	t.Helper()
	client := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig: goplugin.HandshakeConfig{
			ProtocolVersion:  grpcplugin.ProtocolVersion,
			MagicCookieKey:   grpcplugin.MagicCookieKey,
			MagicCookieValue: grpcplugin.MagicCookieValue,
		},
		VersionedPlugins: map[int]goplugin.PluginSet{grpcplugin.ProtocolVersion: {
			"diagnostics": &grpcplugin.DiagnosticsGRPCPlugin{},
			"resource":    &grpcplugin.ResourceGRPCPlugin{},
			"data":        &grpcplugin.DataGRPCPlugin{},
		}},
		Cmd:              exec.Command(bin),
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		Logger:           hclog.New(&hclog.LoggerOptions{Name: "gpx_cxm", Output: io.Discard}),
		StartTimeout:     time.Minute,
	})
	t.Cleanup(client.Kill)
	rpc, err := client.Client()
	if err != nil {
		t.Fatalf("start plugin: %v", err)
	}
	dispense := func(name string) any {
		raw, err := rpc.Dispense(name)
		if err != nil {
			t.Fatalf("dispense %s: %v", name, err)
		}
		return raw
	}
	return pluginClients{
		diag: dispense("diagnostics").(pluginv2.DiagnosticsClient),
		res:  dispense("resource").(pluginv2.ResourceClient),
		data: dispense("data").(pluginv2.DataClient),
	}
}

// queryData sends one query (ref A) over gRPC as Grafana does, and returns its response.
func (c pluginClients) queryData(t *testing.T, ctx context.Context, pc backend.PluginContext, q backend.DataQuery) backend.DataResponse {
	t.Helper()
	req := &backend.QueryDataRequest{PluginContext: pc, Queries: []backend.DataQuery{q}}
	resp, err := c.data.QueryData(ctx, backend.ToProto().QueryDataRequest(req))
	if err != nil {
		t.Fatal(err)
	}
	got, err := backend.FromProto().QueryDataResponse(resp)
	if err != nil {
		t.Fatal(err)
	}
	return got.Responses["A"]
}

func TestGRPCHarness(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the plugin executable")
	}
	env := newTestEnv(t)
	kpiFixture(t, env)
	env.insertEvents(t, eventsFixture()...)
	env.insertEvents(t, maturityFixture(at("2026-11-23T10:00:00Z"))...)
	bin := buildPlugin(t)
	c := startPlugin(t, bin)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	pc := backend.PluginContext{Namespace: "default", PluginID: ID, DataSourceInstanceSettings: &env.settings}
	pc.DataSourceInstanceSettings.ID = 1
	pc.DataSourceInstanceSettings.Updated = time.Unix(1700000000, 0)
	ppc := backend.ToProto().PluginContext(pc)

	t.Run("CheckHealth", func(t *testing.T) {
		resp, err := c.diag.CheckHealth(ctx, &pluginv2.CheckHealthRequest{PluginContext: ppc})
		if err != nil {
			t.Fatal(err)
		}
		res := backend.FromProto().CheckHealthResponse(resp)
		local, _ := env.ds.CheckHealth(ctx, &backend.CheckHealthRequest{})
		if res.Status != backend.HealthStatusOk || res.Message != local.Message {
			t.Errorf("over gRPC: %v %q; in process: %v %q", res.Status, res.Message, local.Status, local.Message)
		}
	})

	t.Run("CallResource", func(t *testing.T) {
		stream, err := c.res.CallResource(ctx, backend.ToProto().CallResourceRequest(&backend.CallResourceRequest{
			PluginContext: pc, Method: "GET", Path: "locations", URL: "locations?region=northwest",
		}))
		if err != nil {
			t.Fatal(err)
		}
		msg, err := stream.Recv()
		if err != nil {
			t.Fatal(err)
		}
		r := backend.FromProto().CallResourceResponse(msg)
		want := `[{"id":"store-b","name":"Beta","region":"northwest","latitude":59.93,"longitude":30.34}]`
		if r.Status != 200 || string(r.Body) != want {
			t.Errorf("got %d %s, want 200 %s", r.Status, r.Body, want)
		}
	})

	from, to := at("2026-11-23T10:00:00Z"), at("2026-11-23T10:05:00Z")
	queries := []struct {
		golden, queryType string
		model             map[string]any
		from, to          time.Time
	}{
		{"timeseries_nps", QueryTimeSeries, map[string]any{"kpis": []string{"nps"}, "locations": []string{"store-a", "store-b", "store-c"}}, from, to},
		{"current_nps", QueryCurrent, map[string]any{"kpis": []string{"nps"}}, from, at("2026-11-23T11:00:00Z")},
		{"geo", QueryGeo, map[string]any{"kpis": []string{"nps", "csat"}}, from, at("2026-11-23T11:00:00Z")},
		{"events_comments", QueryEvents, map[string]any{"withComment": true}, from, at("2026-11-23T11:00:00Z")},
		{"maturity_all", QueryMaturity, nil, at("2026-11-23T10:00:00Z"), at("2026-11-23T11:00:00Z")},
		{"events_pos", QueryEvents, map[string]any{"eventTypes": []string{"pos"}}, from, at("2026-11-23T11:00:00Z")},
	}
	for _, q := range queries {
		t.Run("QueryData "+q.golden, func(t *testing.T) {
			dr := c.queryData(t, ctx, pc, dataQuery(t, q.queryType, q.model, q.from, q.to))
			if dr.Error != nil {
				t.Fatal(dr.Error)
			}
			golden(t, q.golden, dr)
		})
	}

	t.Run("QueryData error over gRPC is downstream", func(t *testing.T) {
		dr := c.queryData(t, ctx, pc, dataQuery(t, QueryEvents, map[string]any{"limit": -1}, from, to))
		if dr.Error == nil || dr.Error.Error() != "limit: must be between 1 and 10000, got -1" || dr.ErrorSource != backend.ErrorSourceDownstream {
			t.Errorf("got %v (%s), want the limit error from downstream", dr.Error, dr.ErrorSource)
		}
	})
}
