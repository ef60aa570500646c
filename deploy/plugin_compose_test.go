package deploy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestPluginDevCompose checks plugin/docker-compose.yaml, the plugin's development Grafana (no Docker
// engine here, so structurally, like TestDockerCompose): Grafana at least the plugin's minimum version,
// allowed to load the unsigned plugin, dist/ mounted where Grafana looks for it under the plugin's id,
// the provisioning and every dashboard mounted from files that exist, a health check and port 3000.
func TestPluginDevCompose(t *testing.T) {
	const dir = "../plugin"
	var c composeFile
	readYAML(t, filepath.Join(dir, "docker-compose.yaml"), &c)
	var pj struct {
		ID           string `json:"id"`
		Dependencies struct {
			Grafana string `json:"grafanaDependency"`
		} `json:"dependencies"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "src/plugin.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &pj); err != nil {
		t.Fatal(err)
	}
	g, ok := c.Services["grafana"]
	if !ok {
		t.Fatal("no grafana service")
	}
	m := regexp.MustCompile(`^grafana/grafana(?:-enterprise)?:\$\{GRAFANA_VERSION:-(\d+)\.(\d+)\.\d+\}$`).FindStringSubmatch(g.Image)
	min := regexp.MustCompile(`>=(\d+)\.(\d+)`).FindStringSubmatch(pj.Dependencies.Grafana)
	if m == nil || min == nil {
		t.Fatalf("image %q: want grafana/grafana:${GRAFANA_VERSION:-x.y.z}; grafanaDependency %q", g.Image, pj.Dependencies.Grafana)
	}
	if atoi(m[1])*100+atoi(m[2]) < atoi(min[1])*100+atoi(min[2]) {
		t.Errorf("image %s is older than the plugin's grafanaDependency %s", g.Image, pj.Dependencies.Grafana)
	}
	if allowed, _ := g.Environment["GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS"].(string); !slices.Contains(strings.Split(allowed, ","), pj.ID) {
		t.Errorf("GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS = %q: Grafana refuses the unsigned %s", allowed, pj.ID)
	}
	// The data source provisioning reads these from Grafana's environment.
	prov, err := os.ReadFile("../dashboards/provisioning/datasources/cxm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range regexp.MustCompile(`\$\{([A-Z_]+)\}`).FindAllStringSubmatch(string(prov), -1) {
		if _, ok := g.Environment[v[1]]; !ok {
			t.Errorf("the data source provisioning reads ${%s}, which the grafana service does not set", v[1])
		}
	}
	mounts := map[string]string{}
	for _, v := range g.Volumes {
		parts := strings.Split(v, ":")
		if len(parts) < 2 {
			t.Errorf("volume %q is not host:container", v)
			continue
		}
		mounts[parts[1]] = parts[0]
		if parts[0] == "./dist" {
			continue // built by make build
		}
		if _, err := os.Stat(filepath.Join(dir, parts[0])); err != nil {
			t.Errorf("volume %s: %v", v, err)
		}
	}
	if mounts["/var/lib/grafana/plugins/"+pj.ID] != "./dist" {
		t.Errorf("dist/ is not mounted at /var/lib/grafana/plugins/%s: %v", pj.ID, mounts)
	}
	for _, p := range []string{"/etc/grafana/provisioning/datasources", "/etc/grafana/provisioning/dashboards", "/etc/cxm/cxm.yaml"} {
		if mounts[p] == "" {
			t.Errorf("nothing mounted at %s", p)
		}
	}
	dashboards, _ := filepath.Glob("../dashboards/*.json")
	for _, d := range dashboards {
		if mounts["/var/lib/grafana/dashboards/cxm/"+filepath.Base(d)] == "" {
			t.Errorf("dashboard %s is not mounted", filepath.Base(d))
		}
	}
	if !hasHealthcheck(g.Healthcheck) {
		t.Error("grafana has no healthcheck")
	}
	var ports struct {
		Services map[string]struct {
			Ports []string `yaml:"ports"`
		} `yaml:"services"`
	}
	readYAML(t, filepath.Join(dir, "docker-compose.yaml"), &ports)
	if p := ports.Services["grafana"].Ports; len(p) != 1 || !strings.HasPrefix(p[0], "3000:3000") {
		t.Errorf("grafana ports %v, want 3000:3000", p)
	}
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }
