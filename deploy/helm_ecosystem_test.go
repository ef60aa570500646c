package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The chart's Kubernetes-ecosystem parts: prometheus-operator objects, the Ingress, Grafana's dashboard
// sidecar, `helm test` hooks and values.schema.json, each rendered by helm and checked as what the
// cluster (or the operator) would read.

// helmStdout runs helm and returns its standard output alone: helm logs on stderr, e.g. a note for each
// file the chart links to (files/cxm.rules.yml, files/dashboards/*.json), which is not YAML.
func helmStdout(t *testing.T, helm string, args ...string) string {
	t.Helper()
	cmd := exec.Command(helm, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("helm %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String()
}

// allOn turns every optional part on.
var allOn = []string{"--set", "metrics.serviceMonitor.enabled=true,metrics.prometheusRule.enabled=true,ingress.enabled=true,grafanaDashboards.enabled=true"}

// kubeAPIs are the apiVersion of each kind the chart may render, as Kubernetes 1.25 and later serve them
// (PodDisruptionBudget policy/v1 and HPA autoscaling/v2 since 1.25 are the only ones left) and as
// prometheus-operator defines its CRDs.
var kubeAPIs = map[string]string{
	"ConfigMap": "v1", "Secret": "v1", "Service": "v1", "ServiceAccount": "v1", "Pod": "v1",
	"Deployment": "apps/v1", "Job": "batch/v1", "PodDisruptionBudget": "policy/v1",
	"HorizontalPodAutoscaler": "autoscaling/v2", "Ingress": "networking.k8s.io/v1",
	"ServiceMonitor": "monitoring.coreos.com/v1", "PrometheusRule": "monitoring.coreos.com/v1",
}

// dns1123 is a Kubernetes object name (RFC 1123 subdomain label, at most 63 characters for Services).
var dns1123 = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// TestHelmRendersForKubernetes renders everything on, at the chart's lowest Kubernetes version and a
// recent one, and checks each object as the API server would take it: a served apiVersion for its kind,
// a valid name, and labels that are strings.
func TestHelmRendersForKubernetes(t *testing.T) {
	helm := helmBin(t)
	var chart struct {
		KubeVersion string `yaml:"kubeVersion"`
	}
	readYAML(t, filepath.Join(chartDir, "Chart.yaml"), &chart)
	lowest := strings.TrimSuffix(strings.TrimPrefix(chart.KubeVersion, ">="), "-0")
	for _, kv := range []string{lowest, kubeVersion, "1.35.0"} {
		out := helmStdout(t, helm, append([]string{"template", "rel", chartDir, "--kube-version", kv}, allOn...)...)
		n := 0
		for _, doc := range strings.Split(out, "\n---") {
			var o k8sObject
			if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
				t.Fatalf("kube %s: not YAML: %v", kv, err)
			}
			if o.Kind == "" {
				continue
			}
			n++
			if want, ok := kubeAPIs[o.Kind]; !ok || o.APIVersion != want {
				t.Errorf("kube %s: %s %s has apiVersion %q, want %q", kv, o.Kind, o.Metadata.Name, o.APIVersion, want)
			}
			if !dns1123.MatchString(o.Metadata.Name) || len(o.Metadata.Name) > 63 {
				t.Errorf("kube %s: %s name %q is not a valid object name", kv, o.Kind, o.Metadata.Name)
			}
			if o.Metadata.Labels["app.kubernetes.io/instance"] != "rel" {
				t.Errorf("kube %s: %s %s lacks the release's labels", kv, o.Kind, o.Metadata.Name)
			}
		}
		if n < 20 {
			t.Errorf("kube %s: only %d objects rendered", kv, n)
		}
	}
	// Below the chart's kubeVersion helm refuses it.
	if out, err := runErr(".", helm, "template", "rel", chartDir, "--kube-version", "1.24.0"); err == nil || !strings.Contains(out, "kubeVersion") {
		t.Errorf("helm template at Kubernetes 1.24 should fail on the chart's kubeVersion: %v\n%s", err, out)
	}
}

// TestHelmPrometheusOperator: off by default; on, a ServiceMonitor that selects the Services of all three
// components on their http port, and a PrometheusRule whose groups are deploy/prometheus/rules/cxm.rules.yml
// exactly and that promtool accepts.
func TestHelmPrometheusOperator(t *testing.T) {
	helm := helmBin(t)
	for k := range helmTemplate(t, helm) {
		if strings.HasPrefix(k, "ServiceMonitor/") || strings.HasPrefix(k, "PrometheusRule/") || k == "Service/rel-cxm-processor" {
			t.Errorf("%s rendered with metrics.* disabled", k)
		}
	}
	objs := helmTemplate(t, helm, append(allOn, "--set", "metrics.serviceMonitor.labels.release=kps,metrics.prometheusRule.labels.release=kps")...)
	sm, ok := objs["ServiceMonitor/rel-cxm"]
	if !ok {
		t.Fatal("no ServiceMonitor")
	}
	if sm.Metadata.Labels["release"] != "kps" {
		t.Errorf("ServiceMonitor labels %v lack metrics.serviceMonitor.labels", sm.Metadata.Labels)
	}
	sel := dig[map[string]any](t, sm.raw, "spec", "selector")
	eps := dig[[]any](t, sm.raw, "spec", "endpoints")
	ep := eps[0].(map[string]any)
	if ep["path"] != "/metrics" || ep["port"] != "http" || ep["interval"] != "30s" {
		t.Errorf("ServiceMonitor endpoint %v, want /metrics on port http every 30s", ep)
	}
	for _, comp := range []string{"ingest", "api", "processor"} {
		svc, ok := objs["Service/rel-cxm-"+comp]
		if !ok {
			t.Errorf("no Service for %s to scrape", comp)
			continue
		}
		if !selects(sel, svc.Metadata.Labels) {
			t.Errorf("ServiceMonitor selector %v misses Service %s (labels %v)", sel, comp, svc.Metadata.Labels)
		}
		ports := dig[[]any](t, svc.raw, "spec", "ports")
		if ports[0].(map[string]any)["name"] != "http" {
			t.Errorf("Service %s has no port named http", comp)
		}
		pod := dig[map[string]any](t, objs["Deployment/rel-cxm-"+comp].raw, "spec", "template", "metadata")
		if !subset(dig[map[string]any](t, svc.raw, "spec", "selector"), pod["labels"].(map[string]any)) {
			t.Errorf("Service %s does not select the %s pods", comp, comp)
		}
	}
	for k, o := range objs {
		if strings.HasPrefix(k, "Service/") && !strings.Contains(k, "-processor") && !strings.Contains(k, "-ingest") && !strings.Contains(k, "-api") && selects(sel, o.Metadata.Labels) {
			t.Errorf("ServiceMonitor also selects %s", k)
		}
	}

	pr, ok := objs["PrometheusRule/rel-cxm"]
	if !ok {
		t.Fatal("no PrometheusRule")
	}
	var want map[string]any
	readYAML(t, "prometheus/rules/cxm.rules.yml", &want)
	if !reflect.DeepEqual(pr.Spec, want) {
		t.Error("the PrometheusRule's spec differs from prometheus/rules/cxm.rules.yml")
	}
	b, _ := yaml.Marshal(pr.Spec)
	f := filepath.Join(t.TempDir(), "rules.yml")
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	promtool := tool(t, "prometheus", "promtool")
	if out := run(t, ".", promtool, "check", "rules", f); !strings.Contains(out, "SUCCESS") {
		t.Errorf("promtool check rules on the PrometheusRule:\n%s", out)
	}
}

// selects evaluates a label selector (matchLabels and In expressions) against labels.
func selects(sel map[string]any, labels map[string]string) bool {
	ml, _ := sel["matchLabels"].(map[string]any)
	for k, v := range ml {
		if labels[k] != v {
			return false
		}
	}
	exprs, _ := sel["matchExpressions"].([]any)
	for _, e := range exprs {
		e := e.(map[string]any)
		if e["operator"] != "In" {
			return false
		}
		if !slices.Contains(strings1(e["values"]), labels[e["key"].(string)]) {
			return false
		}
	}
	return len(ml)+len(exprs) > 0
}

func strings1(v any) []string {
	var out []string
	l, _ := v.([]any)
	for _, x := range l {
		out = append(out, fmt.Sprint(x))
	}
	return out
}

// TestChartSharesItsFiles: the rules and dashboards the chart ships are the repository's own files (links
// into the chart, followed by helm, also by `helm package`), not copies that drift.
func TestChartSharesItsFiles(t *testing.T) {
	pairs := map[string]string{"files/cxm.rules.yml": "prometheus/rules/cxm.rules.yml"}
	dash, _ := filepath.Glob("../dashboards/*.json")
	if len(dash) == 0 {
		t.Fatal("no dashboards in ../dashboards")
	}
	for _, d := range dash {
		pairs["files/dashboards/"+filepath.Base(d)] = d
	}
	for inChart, home := range pairs {
		p := filepath.Join(chartDir, inChart)
		resolved, err := filepath.EvalSymlinks(p)
		if err != nil {
			t.Errorf("%s: %v (link it: ln -s <relative path to %s> %s)", p, err, home, p)
			continue
		}
		abs, _ := filepath.Abs(home)
		if r, _ := filepath.Abs(resolved); r != abs {
			t.Errorf("%s resolves to %s, want the repository's %s", p, r, home)
		}
	}
	got, _ := filepath.Glob(filepath.Join(chartDir, "files/dashboards/*.json"))
	if len(got) != len(dash) {
		t.Errorf("the chart has %d dashboards, dashboards/ has %d", len(got), len(dash))
	}

	helm := helmBin(t)
	dir := t.TempDir()
	run(t, ".", helm, "package", chartDir, "-d", dir)
	pkgs, _ := filepath.Glob(filepath.Join(dir, "cxm-*.tgz"))
	if len(pkgs) != 1 {
		t.Fatalf("helm package made %v", pkgs)
	}
	rules, _ := os.ReadFile("prometheus/rules/cxm.rules.yml")
	objs := helmTemplateOf(t, helm, pkgs[0], allOn...)
	var spec map[string]any
	if err := yaml.Unmarshal(rules, &spec); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(objs["PrometheusRule/rel-cxm"].Spec, spec) {
		t.Error("the packaged chart's PrometheusRule is not the rules file")
	}
	if _, ok := objs["ConfigMap/rel-cxm-dashboard-overview"]; !ok {
		t.Error("the packaged chart has no overview dashboard")
	}
}

// helmTemplateOf renders a chart (a directory or a packaged .tgz) into objects by Kind/name.
func helmTemplateOf(t *testing.T, helm, chart string, args ...string) map[string]k8sObject {
	t.Helper()
	out := helmStdout(t, helm, append([]string{"template", "rel", chart, "--kube-version", kubeVersion}, args...)...)
	objs := map[string]k8sObject{}
	for _, doc := range strings.Split(out, "\n---") {
		var raw map[string]any
		if err := yaml.Unmarshal([]byte(doc), &raw); err != nil || raw == nil {
			continue
		}
		b, _ := yaml.Marshal(raw)
		var o k8sObject
		_ = yaml.Unmarshal(b, &o)
		o.raw = raw
		objs[o.Kind+"/"+o.Metadata.Name] = o
	}
	return objs
}

// TestHelmIngress: each host and path goes to the named Service's port; TLS and the class pass through.
func TestHelmIngress(t *testing.T) {
	helm := helmBin(t)
	if _, ok := helmTemplate(t, helm)["Ingress/rel-cxm"]; ok {
		t.Error("Ingress rendered with ingress.enabled false")
	}
	objs := helmTemplate(t, helm, "--set", "ingress.enabled=true,ingress.className=nginx,api.service.port=9090",
		"--set-json", `ingress.tls=[{"secretName":"cxm-tls","hosts":["cxm.example.com"]}]`)
	ing, ok := objs["Ingress/rel-cxm"]
	if !ok {
		t.Fatal("no Ingress")
	}
	if ing.Spec["ingressClassName"] != "nginx" || fmt.Sprint(ing.Spec["tls"]) != "[map[hosts:[cxm.example.com] secretName:cxm-tls]]" {
		t.Errorf("Ingress class %v tls %v", ing.Spec["ingressClassName"], ing.Spec["tls"])
	}
	backends := map[string]string{}
	for _, r := range ing.Spec["rules"].([]any) {
		r := r.(map[string]any)
		for _, p := range dig[[]any](t, r, "http", "paths") {
			p := p.(map[string]any)
			svc := dig[map[string]any](t, p, "backend", "service")
			name := svc["name"].(string)
			port := fmt.Sprint(svc["port"].(map[string]any)["number"])
			backends[fmt.Sprint(r["host"])+p["path"].(string)] = name + ":" + port
			o, ok := objs["Service/"+name]
			if !ok {
				t.Errorf("Ingress path %v goes to Service %s, which is not rendered", p["path"], name)
				continue
			}
			if sp := fmt.Sprint(dig[[]any](t, o.raw, "spec", "ports")[0].(map[string]any)["port"]); sp != port {
				t.Errorf("Ingress sends %s to port %s, the Service listens on %s", name, port, sp)
			}
		}
	}
	want := map[string]string{"cxm.example.com/": "rel-cxm-ingest:8080", "api.cxm.example.com/": "rel-cxm-api:9090"}
	if !reflect.DeepEqual(backends, want) {
		t.Errorf("Ingress routes %v, want %v", backends, want)
	}
}

// TestHelmGrafanaDashboards: one ConfigMap per dashboard with the sidecar's label and folder annotation,
// holding the repository's dashboard JSON unchanged.
func TestHelmGrafanaDashboards(t *testing.T) {
	helm := helmBin(t)
	objs := helmTemplate(t, helm, "--set", "grafanaDashboards.enabled=true")
	files, _ := filepath.Glob("../dashboards/*.json")
	for _, f := range files {
		name := strings.TrimPrefix(strings.TrimSuffix(filepath.Base(f), ".json"), "cxm-")
		cm, ok := objs["ConfigMap/rel-cxm-dashboard-"+name]
		if !ok {
			t.Errorf("no ConfigMap for %s", f)
			continue
		}
		if cm.Metadata.Labels["grafana_dashboard"] != "1" || cm.Metadata.Annotations["grafana_folder"] != "CXM" {
			t.Errorf("%s: labels %v annotations %v, want grafana_dashboard: \"1\" and grafana_folder: CXM", f, cm.Metadata.Labels, cm.Metadata.Annotations)
		}
		want, _ := os.ReadFile(f)
		got, _ := cm.Data[filepath.Base(f)].(string)
		var a, b any
		if err := json.Unmarshal(want, &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(got), &b); err != nil {
			t.Errorf("%s: ConfigMap data is not JSON: %v", f, err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: the ConfigMap's dashboard differs from the file", f)
		}
	}
	if len(files) == 0 {
		t.Fatal("no dashboards")
	}
	for k := range helmTemplate(t, helm) {
		if strings.Contains(k, "-dashboard-") {
			t.Errorf("%s rendered with grafanaDashboards.enabled false", k)
		}
	}
}

// TestHelmTestHooks: `helm test` Pods ask each Service for /readyz on its port, run as the cxm pods do
// (non-root, read-only), and are cleaned up after success.
func TestHelmTestHooks(t *testing.T) {
	helm := helmBin(t)
	objs := helmTemplate(t, helm, "--set", "ingest.service.port=8081")
	for _, comp := range []string{"ingest", "api"} {
		p, ok := objs["Pod/rel-cxm-test-"+comp]
		if !ok {
			t.Errorf("no helm test Pod for %s", comp)
			continue
		}
		if p.Metadata.Annotations["helm.sh/hook"] != "test" || !strings.Contains(p.Metadata.Annotations["helm.sh/hook-delete-policy"], "hook-succeeded") {
			t.Errorf("%s test Pod annotations %v", comp, p.Metadata.Annotations)
		}
		if p.Spec["restartPolicy"] != "Never" {
			t.Errorf("%s test Pod restartPolicy %v, want Never (a failure must fail helm test)", comp, p.Spec["restartPolicy"])
		}
		c := container(t, p.Spec, "containers", "readyz")
		port := dig[[]any](t, objs["Service/rel-cxm-"+comp].raw, "spec", "ports")[0].(map[string]any)["port"]
		url := fmt.Sprintf("http://rel-cxm-%s:%v/readyz", comp, port)
		if cmd := strings1(c["command"]); cmd[0] != "curl" || !slices.Contains(cmd, "--fail") || cmd[len(cmd)-1] != url {
			t.Errorf("%s test runs %v, want curl --fail %s", comp, cmd, url)
		}
		checkSecure(t, comp+" test", p.Spec, c)
	}
	for k := range helmTemplate(t, helm, "--set", "tests.enabled=false") {
		if strings.HasPrefix(k, "Pod/") {
			t.Errorf("%s rendered with tests.enabled false", k)
		}
	}
}

// TestHelmValuesSchema: values.schema.json takes the defaults and every option on, and refuses wrong
// types, unknown keys and out-of-range values with the path of the value.
func TestHelmValuesSchema(t *testing.T) {
	var schema map[string]any
	b, err := os.ReadFile(filepath.Join(chartDir, "values.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatalf("values.schema.json: %v", err)
	}
	// Every top-level value is described.
	var values map[string]any
	readYAML(t, filepath.Join(chartDir, "values.yaml"), &values)
	props, _ := schema["properties"].(map[string]any)
	for k := range values {
		if props[k] == nil {
			t.Errorf("values.schema.json does not describe %s", k)
		}
	}
	helm := helmBin(t)
	helmTemplate(t, helm, allOn...)
	cases := []struct{ set, want string }{
		{"ingest.replicaCount=-1", "at '/ingest/replicaCount'"},
		{"image.pullPolicy=Sometimes", "at '/image/pullPolicy'"},
		{"ingress.enabled=yes", "at '/ingress/enabled'"},
		{"ingest.replicaCuont=3", "replicaCuont"},
		{"metrics.serviceMonitor.interval=half-a-minute", "at '/metrics/serviceMonitor/interval'"},
		{"ingress.hosts[0].paths[0].service=processor", "service"},
		{"api.service.port=70000", "at '/api/service/port'"},
	}
	for _, c := range cases {
		out, err := runErr(".", helm, "template", "rel", chartDir, "--kube-version", kubeVersion, "--set", c.set)
		if err == nil || !strings.Contains(out, "values don't meet the specifications of the schema") || !strings.Contains(out, c.want) {
			t.Errorf("--set %s: want a schema error naming %q, got %v\n%s", c.set, c.want, err, out)
		}
	}
}
