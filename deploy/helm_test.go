package deploy

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/cxm-project/cxm/internal/config"
)

const chartDir = "helm/cxm"

// The chart is checked in two layers. The static checks below need no tool and always run: Chart.yaml and
// values.yaml parse, every .Values path a template reads exists in values.yaml, every key under `config`
// is a cxm config key (cxm.yaml at the repository root documents each one), and the files the templates
// read exist. The helm checks (TestHelm*) run `helm lint` and `helm template` and inspect what is rendered,
// including loading the rendered cxm config with cxm's own loader; they need helm on PATH (or CXM_HELM).

// TestChartFiles parses the template-free chart files.
func TestChartFiles(t *testing.T) {
	var chart struct {
		APIVersion  string `yaml:"apiVersion"`
		Name        string `yaml:"name"`
		Version     string `yaml:"version"`
		AppVersion  string `yaml:"appVersion"`
		Type        string `yaml:"type"`
		KubeVersion string `yaml:"kubeVersion"`
	}
	readYAML(t, filepath.Join(chartDir, "Chart.yaml"), &chart)
	if chart.APIVersion != "v2" || chart.Name != "cxm" || chart.Type != "application" {
		t.Errorf("Chart.yaml: apiVersion %q name %q type %q, want v2, cxm, application", chart.APIVersion, chart.Name, chart.Type)
	}
	if !regexp.MustCompile(`^\d+\.\d+\.\d+`).MatchString(chart.Version) || chart.AppVersion == "" {
		t.Errorf("Chart.yaml: version %q must be SemVer and appVersion %q set", chart.Version, chart.AppVersion)
	}
	var values map[string]any
	readYAML(t, filepath.Join(chartDir, "values.yaml"), &values)
	for _, k := range []string{"image", "config", "secrets", "migrate", "ingest", "api", "processor", "probes"} {
		if _, ok := values[k]; !ok {
			t.Errorf("values.yaml has no %s", k)
		}
	}
	for _, name := range []string{"NOTES.txt", "_helpers.tpl"} {
		if _, err := os.Stat(filepath.Join(chartDir, "templates", name)); err != nil {
			t.Error(err)
		}
	}
}

// TestChartValuesReferences checks that every .Values.x.y in the templates exists in values.yaml, so a
// renamed or mistyped value cannot render silently as empty.
func TestChartValuesReferences(t *testing.T) {
	var values map[string]any
	readYAML(t, filepath.Join(chartDir, "values.yaml"), &values)
	var doc map[string]any
	readYAML(t, "../cxm.yaml", &doc)
	cxmKeys := map[string]bool{}
	flattenKeys("", doc, cxmKeys)
	ref := regexp.MustCompile(`\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)`)
	files := readTemplates(t)
	seen := 0
	for name, src := range files {
		for _, m := range ref.FindAllStringSubmatch(src, -1) {
			seen++
			path := strings.Split(strings.TrimPrefix(m[1], "."), ".")
			if len(path) > 1 && path[0] == "config" {
				// The cxm config may leave any key to cxm's default: a template reading one needs it to be
				// a cxm key, not a key of values.yaml.
				if !cxmKeys[strings.Join(path[1:], ".")] {
					t.Errorf("%s reads .Values.%s, which is not a cxm config key (cxm.yaml)", name, strings.Join(path, "."))
				}
				continue
			}
			if !hasPath(values, path) {
				t.Errorf("%s reads .Values.%s, which values.yaml does not define", name, strings.Join(path, "."))
			}
		}
	}
	if seen < 20 {
		t.Fatalf("found only %d .Values references in the templates: is the regexp broken?", seen)
	}
	// The per-component values the templates read through a variable ($values.x, index $.Values $c).
	for _, c := range []string{"ingest", "api", "processor"} {
		for _, p := range []string{"replicaCount", "resources", "podDisruptionBudget.enabled", "podDisruptionBudget.maxUnavailable", "extraEnv", "podAnnotations", "nodeSelector", "tolerations", "affinity"} {
			if !hasPath(values, append([]string{c}, strings.Split(p, ".")...)) {
				t.Errorf("values.yaml has no %s.%s (read by the templates through $values)", c, p)
			}
		}
	}
	for _, c := range []string{"ingest", "api"} {
		for _, p := range []string{"autoscaling.enabled", "service.port"} {
			if !hasPath(values, append([]string{c}, strings.Split(p, ".")...)) {
				t.Errorf("values.yaml has no %s.%s", c, p)
			}
		}
	}
	// Files the templates read must exist.
	get := regexp.MustCompile(`\.Files\.Get "([^"]+)"`)
	for name, src := range files {
		for _, m := range get.FindAllStringSubmatch(src, -1) {
			if _, err := os.Stat(filepath.Join(chartDir, m[1])); err != nil {
				t.Errorf("%s reads %s: %v", name, m[1], err)
			}
		}
	}
}

// TestChartConfigKeys checks that every key under values' `config` is a key of cxm.yaml, the documented
// example of every config key: a misspelt key would otherwise be ignored by cxm and the default used.
func TestChartConfigKeys(t *testing.T) {
	var values struct {
		Config map[string]any `yaml:"config"`
	}
	readYAML(t, filepath.Join(chartDir, "values.yaml"), &values)
	var doc map[string]any
	readYAML(t, "../cxm.yaml", &doc)
	known := map[string]bool{}
	flattenKeys("", doc, known)
	// Documented in cxm.yaml's comments (empty lists there): the token lists, filled in from the Secret.
	for _, k := range []string{"ingest.tokens", "api.tokens"} {
		known[k] = true
	}
	got := map[string]bool{}
	flattenKeys("", values.Config, got)
	if len(got) < 10 {
		t.Fatalf("values.yaml config has only %d keys", len(got))
	}
	var unknown []string
	for k := range got {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		t.Errorf("values.yaml config.%s is not a cxm config key (not in cxm.yaml)", k)
	}
}

// flattenKeys records every key path of v: maps by key, list items as [] (their maps' keys below).
func flattenKeys(prefix string, v any, out map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			out[p] = true
			flattenKeys(p, c, out)
		}
	case []any:
		for _, c := range v {
			flattenKeys(prefix+"[]", c, out)
		}
	}
}

func hasPath(m map[string]any, path []string) bool {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = mm[p]; !ok {
			return false
		}
	}
	return true
}

func readTemplates(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	dir := filepath.Join(chartDir, "templates")
	err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 10 {
		t.Fatalf("only %d templates", len(out))
	}
	return out
}

// helmBin finds helm: CXM_HELM or PATH. Without it the helm checks skip, also under CXM_REQUIRE_SERVICES=1:
// helm is not a Debian package, and the static checks above still run. Install it with
// `go install helm.sh/helm/v3/cmd/helm@v3.22.0` (a few minutes to build) or from https://helm.sh.
func helmBin(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CXM_HELM"); p != "" {
		return p
	}
	if p, err := exec.LookPath("helm"); err == nil {
		return p
	}
	msg := "helm not found on PATH (or CXM_HELM): install it with `go install helm.sh/helm/v3/cmd/helm@v3.22.0` (make test-deps does)"
	if os.Getenv("CXM_REQUIRE_SERVICES") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// kubeVersion is passed to helm template: a helm built with `go install` (no release ldflags) assumes
// Kubernetes 1.20, below the chart's kubeVersion.
const kubeVersion = "1.31.0"

func TestHelmLint(t *testing.T) {
	helm := helmBin(t)
	out := run(t, ".", helm, "lint", "--strict", "--kube-version", kubeVersion, chartDir)
	if !strings.Contains(out, "0 chart(s) failed") {
		t.Errorf("helm lint:\n%s", out)
	}
	// The example secrets and tokens, and the cluster variant (no migrate hook, HPAs on).
	run(t, ".", helm, "lint", "--strict", "--kube-version", kubeVersion, chartDir,
		"--set", "migrate.enabled=false,ingest.autoscaling.enabled=true,api.autoscaling.enabled=true,secrets.existingSecret=cxm-secrets")
}

type k8sObject struct {
	APIVersion string         `yaml:"apiVersion"`
	Kind       string         `yaml:"kind"`
	Metadata   k8sMeta        `yaml:"metadata"`
	Data       map[string]any `yaml:"data"`
	Spec       map[string]any `yaml:"spec"`
	raw        map[string]any
}

type k8sMeta struct {
	Name        string            `yaml:"name"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

// helmTemplate renders the chart with extra arguments and returns its objects by "Kind/name".
func helmTemplate(t *testing.T, helm string, args ...string) map[string]k8sObject {
	t.Helper()
	out := helmStdout(t, helm, append([]string{"template", "rel", chartDir, "--kube-version", kubeVersion}, args...)...)
	objs := map[string]k8sObject{}
	dec := yaml.NewDecoder(strings.NewReader(out))
	for {
		var raw map[string]any
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("helm template output is not YAML: %v\n%s", err, out)
		}
		if raw == nil {
			continue
		}
		b, _ := yaml.Marshal(raw)
		var o k8sObject
		if err := yaml.Unmarshal(b, &o); err != nil {
			t.Fatal(err)
		}
		o.raw = raw
		key := o.Kind + "/" + o.Metadata.Name
		if _, dup := objs[key]; dup {
			t.Errorf("%s rendered twice", key)
		}
		objs[key] = o
	}
	return objs
}

// TestHelmTemplate renders the defaults and checks what a cluster would run.
func TestHelmTemplate(t *testing.T) {
	helm := helmBin(t)
	objs := helmTemplate(t, helm)
	for _, want := range []string{
		"Deployment/rel-cxm-ingest", "Deployment/rel-cxm-api", "Deployment/rel-cxm-processor", "Deployment/rel-cxm-cases",
		"Service/rel-cxm-ingest", "Service/rel-cxm-api", "ConfigMap/rel-cxm", "Secret/rel-cxm",
		"Job/rel-cxm-migrate", "ConfigMap/rel-cxm-migrate", "Secret/rel-cxm-migrate",
		"PodDisruptionBudget/rel-cxm-processor", "ServiceAccount/rel-cxm",
	} {
		if _, ok := objs[want]; !ok {
			t.Errorf("%s not rendered", want)
		}
	}
	for _, name := range []string{"HorizontalPodAutoscaler/rel-cxm-ingest", "HorizontalPodAutoscaler/rel-cxm-api"} {
		if _, ok := objs[name]; ok {
			t.Errorf("%s rendered with autoscaling disabled", name)
		}
	}

	commands := map[string]string{"ingest": "ingest", "api": "api", "processor": "process", "cases": "cases"}
	for comp, cmd := range commands {
		d := objs["Deployment/rel-cxm-"+comp]
		pod := dig[map[string]any](t, d.raw, "spec", "template", "spec")
		c := container(t, pod, "containers", comp)
		if args := fmt.Sprint(c["args"]); args != "["+cmd+"]" {
			t.Errorf("%s runs %s, want [%s]", comp, args, cmd)
		}
		checkProbe(t, comp, c, "livenessProbe", "/healthz")
		checkProbe(t, comp, c, "readinessProbe", "/readyz")
		checkSecure(t, comp, pod, c)
		env := envOf(c)
		if env["CXM_CONFIG"] != "/run/cxm/cxm.yaml" {
			t.Errorf("%s: CXM_CONFIG = %q, want the merged config /run/cxm/cxm.yaml", comp, env["CXM_CONFIG"])
		}
		if env["CXM_CLICKHOUSE_PASSWORD"] != "secret:rel-cxm/clickhouse-password" {
			t.Errorf("%s: CXM_CLICKHOUSE_PASSWORD = %q, want it from Secret rel-cxm key clickhouse-password", comp, env["CXM_CLICKHOUSE_PASSWORD"])
		}
		if dig[map[string]any](t, c, "resources")["requests"] == nil {
			t.Errorf("%s has no resource requests", comp)
		}
		init := container(t, pod, "initContainers", "config")
		checkSecure(t, comp+" init", pod, init)
		checkVolumes(t, comp, pod, objs)
		// The pods' labels select the Service and the PDB.
		labels := dig[map[string]any](t, d.raw, "spec", "template", "metadata", "labels")
		sel := dig[map[string]any](t, d.raw, "spec", "selector", "matchLabels")
		if !subset(sel, labels) {
			t.Errorf("%s: selector %v does not match the pod labels %v", comp, sel, labels)
		}
		for _, kind := range []string{"Service", "PodDisruptionBudget"} {
			o, ok := objs[kind+"/rel-cxm-"+comp]
			if !ok {
				continue
			}
			s := o.Spec["selector"].(map[string]any)
			if ml, ok := s["matchLabels"].(map[string]any); ok {
				s = ml
			}
			if !subset(s, labels) {
				t.Errorf("%s/%s selects %v, which does not match the %s pods %v", kind, comp, s, comp, labels)
			}
		}
	}
	if r := objs["Deployment/rel-cxm-processor"].Spec["replicas"]; fmt.Sprint(r) != "2" {
		t.Errorf("processor replicas %v, want values' 2", r)
	}
	for _, comp := range []string{"ingest", "api"} {
		port := dig[[]any](t, objs["Service/rel-cxm-"+comp].raw, "spec", "ports")[0].(map[string]any)
		if port["targetPort"] != "http" {
			t.Errorf("Service %s targets %v, want the container port named http", comp, port["targetPort"])
		}
	}

	job := objs["Job/rel-cxm-migrate"]
	if h := job.Metadata.Annotations["helm.sh/hook"]; h != "pre-install,pre-upgrade" {
		t.Errorf("migrate Job hook %q, want pre-install,pre-upgrade", h)
	}
	jpod := dig[map[string]any](t, job.raw, "spec", "template", "spec")
	jc := container(t, jpod, "containers", "migrate")
	if fmt.Sprint(jc["args"]) != "[migrate]" {
		t.Errorf("migrate Job runs %v", jc["args"])
	}
	checkSecure(t, "migrate", jpod, jc)
	for _, name := range []string{"ConfigMap/rel-cxm-migrate", "Secret/rel-cxm-migrate"} {
		// A pre-install hook runs before the release's own objects exist: what it mounts must be a hook
		// created before it (a lower weight).
		a := objs[name].Metadata.Annotations
		w, _ := strconv.Atoi(a["helm.sh/hook-weight"])
		jw, _ := strconv.Atoi(job.Metadata.Annotations["helm.sh/hook-weight"])
		if !strings.Contains(a["helm.sh/hook"], "pre-install") || w >= jw {
			t.Errorf("%s: hook %q weight %q, want a pre-install hook weighted before the Job", name, a["helm.sh/hook"], a["helm.sh/hook-weight"])
		}
	}
	if env := envOf(jc); env["CXM_CLICKHOUSE_PASSWORD"] != "secret:rel-cxm-migrate/clickhouse-password" {
		t.Errorf("migrate CXM_CLICKHOUSE_PASSWORD = %q", env["CXM_CLICKHOUSE_PASSWORD"])
	}
	loadConfig(t, objs["ConfigMap/rel-cxm-migrate"].Data["cxm.yaml"].(string), nil)
	// No cookie secret given: the chart generates one, so several ingest replicas agree on it.
	if c, _ := objs["Secret/rel-cxm"].Data["cookie-secret"].(string); len(decodeB64(t, c)) < 32 {
		t.Errorf("the Secret's generated cookie-secret is %q, want 32+ characters", decodeB64(t, c))
	}
	if !strings.Contains(objs["ConfigMap/rel-cxm"].Data["cxm.yaml"].(string), "replicas: 2") {
		t.Error("the ConfigMap does not tell cxm how many ingest replicas run (ingest.replicas)")
	}
}

// TestHelmConfigLoads renders the chart with tokens and runs the init container's awk program on the
// rendered config and Secret, as a pod would, then loads the result with cxm's config loader: the config
// the pods get is one cxm accepts, with the tokens from the Secret.
func TestHelmConfigLoads(t *testing.T) {
	helm := helmBin(t)
	const (
		writeHash = "sha256:0000000000000000000000000000000000000000000000000000000000000001"
		readHash  = "sha256:0000000000000000000000000000000000000000000000000000000000000002"
	)
	objs := helmTemplate(t, helm,
		"--set-json", `secrets.ingestTokens=[{"name":"pos & co","hash":"`+writeHash+`","locations":["store-001"],"events_per_second":50}]`,
		"--set-json", `secrets.apiTokens=[{"name":"bi","hash":"`+readHash+`","all":true}]`,
		"--set", "secrets.clickhousePassword=pw,secrets.cookieSecret=c00k1e-c00k1e-c00k1e-c00k1e-c00k1e",
	)
	cm := objs["ConfigMap/rel-cxm"]
	if strings.Contains(fmt.Sprint(cm.Data), "sha256:") {
		t.Error("the ConfigMap holds token hashes: they belong in the Secret")
	}
	secret := objs["Secret/rel-cxm"]
	for _, k := range []string{"clickhouse-password", "ingest-tokens", "api-tokens", "cookie-secret"} {
		if secret.Data[k] == nil {
			t.Errorf("Secret lacks %s", k)
		}
	}
	files := map[string]string{}
	for k, v := range secret.Data {
		files[k] = decodeB64(t, v.(string))
	}
	cfg := loadConfig(t, cm.Data["cxm.yaml"].(string), map[string]string{
		"ingest-tokens": files["ingest-tokens"],
		// As an operator's existingSecret might hold it: pretty-printed over several lines.
		"api-tokens": "[\n  {\"name\": \"bi\",\n   \"hash\": \"" + readHash + "\",\n   \"all\": true}\n]\n",
	}, cm.Data["merge-tokens.awk"].(string))
	if len(cfg.Ingest.Tokens) != 1 || cfg.Ingest.Tokens[0].Hash != writeHash || cfg.Ingest.Tokens[0].Name != "pos & co" {
		t.Errorf("ingest tokens after the merge: %+v", cfg.Ingest.Tokens)
	}
	if len(cfg.API.Tokens) != 1 || cfg.API.Tokens[0].Hash != readHash {
		t.Errorf("api tokens after the merge: %+v", cfg.API.Tokens)
	}
	if cfg.HTTP.Listen != "0.0.0.0:8080" || cfg.Kafka.Partitions != 12 || len(cfg.Locations) == 0 {
		t.Errorf("merged config: listen %q partitions %d locations %d", cfg.HTTP.Listen, cfg.Kafka.Partitions, len(cfg.Locations))
	}
	// No token keys at all (an existingSecret with only the password): no tokens, still valid.
	cfg = loadConfig(t, cm.Data["cxm.yaml"].(string), map[string]string{}, cm.Data["merge-tokens.awk"].(string))
	if len(cfg.Ingest.Tokens)+len(cfg.API.Tokens) != 0 {
		t.Errorf("tokens without token files: %+v %+v", cfg.Ingest.Tokens, cfg.API.Tokens)
	}
}

// TestHelmRejects checks the install-time validations fail with their message.
func TestHelmRejects(t *testing.T) {
	helm := helmBin(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--set", "processor.replicaCount=13"}, "processor.replicaCount (13) must be at most config.kafka.partitions (12)"},
		{[]string{"--set", "processor.replicaCount=5,config.kafka.partitions=4"}, "processor.replicaCount (5) must be at most config.kafka.partitions (4)"},
		{[]string{"--set", "config.clickhouse.password=x"}, "config.clickhouse.password must not be set"},
		{[]string{"--set-json", `config.ingest.tokens=[]`}, "config.ingest.tokens must not be set"},
		{[]string{"--set", "config.http.listen=127.0.0.1:8080"}, "must listen on port 8080 on all interfaces"},
	}
	for _, c := range cases {
		out, err := runErr(".", helm, append([]string{"template", "rel", chartDir, "--kube-version", kubeVersion}, c.args...)...)
		if err == nil {
			t.Errorf("helm template %v succeeded, want it to fail with %q", c.args, c.want)
			continue
		}
		if !strings.Contains(out, c.want) {
			t.Errorf("helm template %v failed with\n%s\nwant %q", c.args, out, c.want)
		}
	}
	// At the partition count it renders.
	objs := helmTemplate(t, helm, "--set", "processor.replicaCount=12")
	if r := objs["Deployment/rel-cxm-processor"].Spec["replicas"]; fmt.Sprint(r) != "12" {
		t.Errorf("processor replicas %v, want 12", r)
	}
}

// TestHelmVariants renders HPAs, an existing Secret and the migrate hook turned off (a ClickHouse cluster).
func TestHelmVariants(t *testing.T) {
	helm := helmBin(t)
	objs := helmTemplate(t, helm, "--set",
		"ingest.autoscaling.enabled=true,api.autoscaling.enabled=true,secrets.existingSecret=cxm-secrets,migrate.enabled=false")
	for _, comp := range []string{"ingest", "api"} {
		h, ok := objs["HorizontalPodAutoscaler/rel-cxm-"+comp]
		if !ok {
			t.Errorf("no HPA for %s", comp)
			continue
		}
		if ref := h.Spec["scaleTargetRef"].(map[string]any); ref["name"] != "rel-cxm-"+comp || ref["kind"] != "Deployment" {
			t.Errorf("HPA %s scales %v", comp, ref)
		}
		if _, set := objs["Deployment/rel-cxm-"+comp].Spec["replicas"]; set {
			t.Errorf("Deployment %s sets replicas while its HPA owns them", comp)
		}
	}
	for k := range objs {
		if strings.HasPrefix(k, "Secret/") || strings.Contains(k, "migrate") {
			t.Errorf("%s rendered with secrets.existingSecret and migrate.enabled=false", k)
		}
	}
	pod := dig[map[string]any](t, objs["Deployment/rel-cxm-processor"].raw, "spec", "template", "spec")
	if env := envOf(container(t, pod, "containers", "processor")); env["CXM_CLICKHOUSE_PASSWORD"] != "secret:cxm-secrets/clickhouse-password" {
		t.Errorf("with existingSecret, CXM_CLICKHOUSE_PASSWORD = %q", env["CXM_CLICKHOUSE_PASSWORD"])
	}
}

// loadConfig writes the rendered config (and, given the awk program, the Secret's token files, merged the
// way the init container does it) and loads it with internal/config.
func loadConfig(t *testing.T, rendered string, secretFiles map[string]string, awkProgram ...string) *config.Config {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "configmap.yaml")
	if err := os.WriteFile(src, []byte(rendered), 0o644); err != nil {
		t.Fatal(err)
	}
	path := src
	if len(awkProgram) > 0 {
		awk := tool(t, "mawk", "awk")
		prog := filepath.Join(dir, "merge-tokens.awk")
		if err := os.WriteFile(prog, []byte(awkProgram[0]), 0o644); err != nil {
			t.Fatal(err)
		}
		for k, v := range secretFiles {
			if err := os.WriteFile(filepath.Join(dir, k), []byte(v), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		path = filepath.Join(dir, "cxm.yaml")
		run(t, dir, awk, "-v", "ingest="+filepath.Join(dir, "ingest-tokens"), "-v", "api="+filepath.Join(dir, "api-tokens"),
			"-v", "out="+path, "-f", prog, src)
	}
	// The environment must not leak into the check (a developer's CXM_ variables).
	for _, e := range os.Environ() {
		if k, _, _ := strings.Cut(e, "="); strings.HasPrefix(k, "CXM_") && k != "CXM_REQUIRE_SERVICES" {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	// What the chart's Secret always gives the ingest pods (generated when not set).
	t.Setenv("CXM_INGEST_COOKIE__SECRET", strings.Repeat("k", 48))
	cfg, err := config.Load(path, nil)
	if err != nil {
		b, _ := os.ReadFile(path)
		t.Fatalf("cxm rejects the chart's config: %v\n%s", err, b)
	}
	return cfg
}

func decodeB64(t *testing.T, s string) string {
	t.Helper()
	var b []byte
	if err := json.Unmarshal([]byte(`"`+s+`"`), &b); err != nil { // encoding/json decodes base64 into []byte
		t.Fatalf("secret value %q: %v", s, err)
	}
	return string(b)
}

func dig[T any](t *testing.T, m map[string]any, path ...string) T {
	t.Helper()
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			t.Fatalf("%v: %s is not a map", path, p)
		}
		cur = mm[p]
	}
	v, ok := cur.(T)
	if !ok {
		t.Fatalf("%v: %T, not %T", path, cur, v)
	}
	return v
}

func container(t *testing.T, pod map[string]any, list, name string) map[string]any {
	t.Helper()
	cs, _ := pod[list].([]any)
	for _, c := range cs {
		if c := c.(map[string]any); c["name"] == name {
			return c
		}
	}
	t.Fatalf("no %s named %s", list, name)
	return nil
}

func checkProbe(t *testing.T, comp string, c map[string]any, probe, path string) {
	t.Helper()
	p, _ := c[probe].(map[string]any)
	get, _ := p["httpGet"].(map[string]any)
	if get["path"] != path || get["port"] != "http" {
		t.Errorf("%s %s: %v, want GET %s on the http port", comp, probe, p, path)
	}
	ports, _ := c["ports"].([]any)
	if len(ports) != 1 || fmt.Sprint(ports[0].(map[string]any)["containerPort"]) != "8080" {
		t.Errorf("%s ports %v, want http 8080", comp, ports)
	}
}

func checkSecure(t *testing.T, comp string, pod, c map[string]any) {
	t.Helper()
	psc, _ := pod["securityContext"].(map[string]any)
	sc, _ := c["securityContext"].(map[string]any)
	if psc["runAsNonRoot"] != true || sc["readOnlyRootFilesystem"] != true || sc["allowPrivilegeEscalation"] != false {
		t.Errorf("%s: pod securityContext %v, container %v: want runAsNonRoot, readOnlyRootFilesystem, no privilege escalation", comp, psc, sc)
	}
}

// checkVolumes: every mount names a volume of the pod, and every ConfigMap / Secret volume names an object
// the chart renders.
func checkVolumes(t *testing.T, comp string, pod map[string]any, objs map[string]k8sObject) {
	t.Helper()
	vols := map[string]map[string]any{}
	for _, v := range pod["volumes"].([]any) {
		v := v.(map[string]any)
		vols[v["name"].(string)] = v
		if cm, ok := v["configMap"].(map[string]any); ok {
			if _, ok := objs["ConfigMap/"+cm["name"].(string)]; !ok {
				t.Errorf("%s mounts ConfigMap %s, which is not rendered", comp, cm["name"])
			}
		}
		if s, ok := v["secret"].(map[string]any); ok {
			if _, ok := objs["Secret/"+s["secretName"].(string)]; !ok {
				t.Errorf("%s mounts Secret %s, which is not rendered", comp, s["secretName"])
			}
		}
	}
	for _, list := range []string{"initContainers", "containers"} {
		for _, c := range pod[list].([]any) {
			for _, m := range c.(map[string]any)["volumeMounts"].([]any) {
				if name := m.(map[string]any)["name"].(string); vols[name] == nil {
					t.Errorf("%s mounts volume %s, which the pod does not have", comp, name)
				}
			}
		}
	}
}

// envOf maps a container's environment to values, or "secret:<name>/<key>" for Secret references.
func envOf(c map[string]any) map[string]string {
	out := map[string]string{}
	env, _ := c["env"].([]any)
	for _, e := range env {
		e := e.(map[string]any)
		name := e["name"].(string)
		if v, ok := e["value"]; ok {
			out[name] = fmt.Sprint(v)
			continue
		}
		vf, _ := e["valueFrom"].(map[string]any)
		if ref, ok := vf["secretKeyRef"].(map[string]any); ok {
			out[name] = fmt.Sprintf("secret:%v/%v", ref["name"], ref["key"])
		}
	}
	return out
}

func subset(sel, labels map[string]any) bool {
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}
