package deploy

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// compose is the part of the Compose file model the checks read (docker compose is not installed here,
// so `docker compose config` cannot run; these checks catch what it would plus what it would not).
type composeFile struct {
	Services map[string]struct {
		Image       string         `yaml:"image"`
		Build       any            `yaml:"build"`
		Command     []string       `yaml:"command"`
		DependsOn   map[string]any `yaml:"depends_on"`
		Volumes     []string       `yaml:"volumes"`
		Healthcheck map[string]any `yaml:"healthcheck"`
		Environment map[string]any `yaml:"environment"`
		Ports       []string       `yaml:"ports"`
	} `yaml:"services"`
	Volumes map[string]any `yaml:"volumes"`
}

func TestDockerCompose(t *testing.T) {
	var c composeFile
	readYAML(t, "docker-compose.yml", &c)
	for _, want := range []string{"kafka", "clickhouse", "migrate", "ingest", "process", "api", "prometheus", "alertmanager", "grafana"} {
		if _, ok := c.Services[want]; !ok {
			t.Errorf("service %s missing", want)
		}
	}
	var names []string
	for name := range c.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		s := c.Services[name]
		if s.Image == "" && s.Build == nil {
			t.Errorf("%s: neither image nor build", name)
		}
		for dep, cond := range s.DependsOn {
			if _, ok := c.Services[dep]; !ok {
				t.Errorf("%s depends on %s, which is not a service", name, dep)
			}
			// Waiting for "started" would let a service race its database: every dependency waits for
			// health, or for the one-shot migration to finish.
			cm, _ := cond.(map[string]any)
			want := "service_healthy"
			if dep == "migrate" {
				want = "service_completed_successfully"
			}
			if cm["condition"] != want {
				t.Errorf("%s depends on %s with %v, want condition %s", name, dep, cond, want)
			}
			if want == "service_healthy" && !hasHealthcheck(c.Services[dep].Healthcheck) {
				t.Errorf("%s waits for %s to be healthy, which has no healthcheck", name, dep)
			}
		}
		if name != "migrate" && !hasHealthcheck(s.Healthcheck) {
			t.Errorf("%s has no healthcheck", name)
		}
		for _, v := range s.Volumes {
			src := strings.SplitN(v, ":", 2)[0]
			if strings.HasPrefix(src, ".") || strings.HasPrefix(src, "/") {
				if src == "../plugin/dist" {
					// Built by `make -C plugin build`; its manifest is in the repository.
					src = "../plugin/src/plugin.json"
				}
				if _, err := os.Stat(src); err != nil {
					t.Errorf("%s mounts %s, which does not exist in the repository", name, src)
				}
				continue
			}
			if _, ok := c.Volumes[src]; !ok {
				t.Errorf("%s uses volume %s, which is not declared", name, src)
			}
		}
	}
	for _, svc := range []string{"migrate", "ingest", "process", "api"} {
		if cmd := c.Services[svc].Command; len(cmd) == 0 || cmd[0] != svc {
			t.Errorf("%s runs %v, want `cxm %s`", svc, cmd, svc)
		}
	}
	g := c.Services["grafana"]
	if g.Environment["GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS"] != "cxm-kpi-datasource" {
		t.Error("grafana must allow the unsigned cxm-kpi-datasource plugin")
	}
	// Grafana reads with the read-only user, and the services without authentication are not published
	// beyond the host's loopback.
	if g.Environment["CXM_GRAFANA_CLICKHOUSE_USER"] != "grafana" {
		t.Errorf("grafana reads ClickHouse as %v, want the read-only user grafana", g.Environment["CXM_GRAFANA_CLICKHOUSE_USER"])
	}
	users, err := os.ReadFile("compose/clickhouse-users.xml")
	if err != nil {
		t.Fatal(err)
	}
	if u := string(users); !regexp.MustCompile(`(?s)<grafana>.*<profile>cxm_readonly</profile>.*</grafana>`).MatchString(u) ||
		!regexp.MustCompile(`(?s)<cxm_readonly>\s*<readonly>2</readonly>`).MatchString(u) {
		t.Error("compose/clickhouse-users.xml: the grafana user must have the readonly profile")
	}
	for _, svc := range []string{"prometheus", "alertmanager"} {
		for _, p := range c.Services[svc].Ports {
			if !strings.HasPrefix(p, "127.0.0.1:") {
				t.Errorf("%s publishes %s: it has no authentication, publish it on 127.0.0.1 only", svc, p)
			}
		}
	}
	// Every dashboard file is mounted, so a new dashboard is not forgotten.
	dashboards, _ := filepath.Glob("../dashboards/*.json")
	for _, d := range dashboards {
		if !slices.ContainsFunc(g.Volumes, func(v string) bool { return strings.HasPrefix(v, d+":") }) {
			t.Errorf("grafana does not mount %s", d)
		}
	}
	// The compose Prometheus scrapes the compose services by name.
	var prom struct {
		ScrapeConfigs []struct {
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	readYAML(t, "prometheus/compose.yml", &prom)
	for _, sc := range prom.ScrapeConfigs {
		for _, st := range sc.StaticConfigs {
			for _, target := range st.Targets {
				if _, ok := c.Services[strings.Split(target, ":")[0]]; !ok {
					t.Errorf("prometheus/compose.yml scrapes %s, which is not a compose service", target)
				}
			}
		}
	}
}

func hasHealthcheck(h map[string]any) bool {
	return h != nil && h["disable"] != true && h["test"] != nil
}

// TestImageStampsVersion: the image's binary reports its release like a `make build` one, so both link
// the same variable, and the compose build passes the version through.
func TestImageStampsVersion(t *testing.T) {
	flag := regexp.MustCompile(`-X (github\.com/cxm-project/cxm/internal/version\.Version)=`)
	for _, f := range []string{"Dockerfile", "../Makefile"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !flag.Match(b) {
			t.Errorf("%s: no -X …/internal/version.Version in its go build", f)
		}
	}
	b, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^ARG VERSION=`).Match(b) || !strings.Contains(string(b), "version.Version=${VERSION}") {
		t.Error("Dockerfile: the VERSION build argument does not reach the -X flag")
	}
	c, err := os.ReadFile("docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(c), "VERSION: ${CXM_VERSION:-}") {
		t.Error("docker-compose.yml: the build does not pass CXM_VERSION as VERSION")
	}
}
