package deploy

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestPrometheusRuleUnitTests runs the promtool unit tests of the alert rules.
func TestPrometheusRuleUnitTests(t *testing.T) {
	promtool := tool(t, "prometheus", "promtool")
	tests, err := filepath.Glob("prometheus/tests/*.yml")
	if err != nil || len(tests) == 0 {
		t.Fatalf("no rule tests in deploy/prometheus/tests (%v)", err)
	}
	run(t, ".", promtool, append([]string{"test", "rules"}, tests...)...)
}

// TestEveryAlertHasAUnitTest keeps the unit tests in step with the rules: an alert added without a
// promtool test case fails here.
func TestEveryAlertHasAUnitTest(t *testing.T) {
	alerts := ruleAlerts(t, "prometheus/rules/cxm.rules.yml")
	tested := map[string]bool{}
	files, _ := filepath.Glob("prometheus/tests/*.yml")
	for _, f := range files {
		var doc struct {
			Tests []struct {
				AlertRuleTest []struct {
					Alertname string `yaml:"alertname"`
					ExpAlerts []any  `yaml:"exp_alerts"`
				} `yaml:"alert_rule_test"`
			} `yaml:"tests"`
		}
		readYAML(t, f, &doc)
		for _, tc := range doc.Tests {
			for _, a := range tc.AlertRuleTest {
				// Only a case that expects the alert to fire proves the rule can fire.
				if len(a.ExpAlerts) > 0 {
					tested[a.Alertname] = true
				}
			}
		}
	}
	for _, a := range alerts {
		if !tested[a] {
			t.Errorf("alert %s has no promtool test case in deploy/prometheus/tests that expects it to fire", a)
		}
	}
}

// TestPrometheusConfig checks the Prometheus configurations (with their rule files) as Prometheus reads
// them.
func TestPrometheusConfig(t *testing.T) {
	promtool := tool(t, "prometheus", "promtool")
	configs := []string{"prometheus/prometheus.yml", "prometheus/compose.yml"}
	for _, c := range configs {
		out := run(t, ".", promtool, "check", "config", c)
		if !strings.Contains(out, "SUCCESS: 1 rule files found") {
			t.Errorf("%s: expected it to load the rule file:\n%s", c, out)
		}
	}
	out := run(t, ".", promtool, "check", "rules", "prometheus/rules/cxm.rules.yml")
	if !strings.Contains(out, "SUCCESS") {
		t.Errorf("promtool check rules:\n%s", out)
	}
}

// TestRedIndicatorRule pins what on-call people and the e2e test rely on: the red-indicator alert's labels
// and a `for` that keeps a single bad evaluation from paging.
func TestRedIndicatorRule(t *testing.T) {
	r := findRule(t, "prometheus/rules/cxm.rules.yml", "CXMIndicatorRed")
	if r.For == "" || r.For == "0s" {
		t.Errorf("CXMIndicatorRed needs a `for` against flapping, has %q", r.For)
	}
	if r.Labels["severity"] == "" || r.Labels["component"] != "kpi" {
		t.Errorf("CXMIndicatorRed labels %v: want severity and component=kpi (Alertmanager routes on it)", r.Labels)
	}
	for _, a := range []string{"summary", "value", "threshold", "sample_size", "dashboard"} {
		if r.Annotations[a] == "" {
			t.Errorf("CXMIndicatorRed lacks annotation %s", a)
		}
	}
	if !strings.Contains(r.Annotations["dashboard"], "/d/cxm-location?var-location=") {
		t.Errorf("dashboard annotation %q does not link the location dashboard (uid cxm-location)", r.Annotations["dashboard"])
	}
}

// TestAlertmanagerConfig checks the Alertmanager configuration with amtool, the commented email and
// Telegram examples too (uncommented), and that alerts route to the intended receivers.
func TestAlertmanagerConfig(t *testing.T) {
	amtool := tool(t, "prometheus-alertmanager", "amtool")
	const file = "alertmanager/alertmanager.yml"
	run(t, ".", amtool, "check-config", file)

	// Every documented example must be a working configuration once uncommented: examples that rot are
	// worse than none.
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	examples := uncommentExamples(string(src))
	if examples == string(src) {
		t.Fatal("found no commented examples to check in " + file)
	}
	full := filepath.Join(t.TempDir(), "alertmanager-examples.yml")
	if err := os.WriteFile(full, []byte(examples), 0o644); err != nil {
		t.Fatal(err)
	}
	out := run(t, ".", amtool, "check-config", full)
	for _, want := range []string{"3 receivers"} {
		if !strings.Contains(out, want) {
			t.Errorf("uncommented examples: amtool says\n%s\nwant %q (webhook, email, Telegram)", out, want)
		}
	}

	routes := []struct {
		config string
		labels []string
		want   string
	}{
		{file, []string{"alertname=CXMIndicatorRed", "component=kpi", "location=store-001", "kpi=nps", "severity=critical"}, "cxm-webhook"},
		{file, []string{"alertname=CXMProcessorLag", "component=pipeline", "severity=warning"}, "cxm-webhook"},
		{full, []string{"alertname=CXMIndicatorRed", "component=kpi", "location=store-003", "kpi=nps"}, "central-team-email"},
		{full, []string{"alertname=CXMIndicatorRed", "component=kpi", "location=store-019", "kpi=nps"}, "cxm-webhook"},
	}
	for _, r := range routes {
		args := append([]string{"config", "routes", "test", "--config.file=" + r.config}, r.labels...)
		// amtool prints a warning about --alertmanager.url first; the receiver is the last line.
		lines := strings.Split(strings.TrimSpace(run(t, ".", amtool, args...)), "\n")
		got := lines[len(lines)-1]
		if got != r.want {
			t.Errorf("%s routes %v to %q, want %q", filepath.Base(r.config), r.labels, got, r.want)
		}
	}
}

// uncommentExamples turns the commented YAML of the examples back into YAML: comment lines whose text is a
// key (lower case, as every Alertmanager key is), a list item or an indented continuation. Prose comments
// start with a capital letter or are not key-shaped, so they stay comments.
func uncommentExamples(s string) string {
	re := regexp.MustCompile(`(?m)^(\s*)# ((?:- |[a-z_]+:|\s).*)$`)
	return re.ReplaceAllString(s, "$1$2")
}

type rule struct {
	Alert       string            `yaml:"alert"`
	Record      string            `yaml:"record"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []rule `yaml:"rules"`
	} `yaml:"groups"`
}

func ruleAlerts(t *testing.T, path string) []string {
	var f ruleFile
	readYAML(t, path, &f)
	var out []string
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			if r.Alert != "" {
				out = append(out, r.Alert)
			}
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		t.Fatalf("%s defines no alerts", path)
	}
	return out
}

func findRule(t *testing.T, path, alert string) rule {
	t.Helper()
	var f ruleFile
	readYAML(t, path, &f)
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			if r.Alert == alert {
				return r
			}
		}
	}
	t.Fatalf("%s has no alert %s", path, alert)
	return rule{}
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
