// Package dashboards holds no code: its tests check the Grafana dashboards (*.json) and provisioning next to
// them against Grafana's dashboard schema and against the CXM data-source plugin they query.
package dashboards

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/cxm-project/cxm/internal/kpi"
)

// wantUIDs are the stable uids links, alerts and bookmarks use (/d/<uid>). Renaming one breaks them.
var wantUIDs = []string{"cxm-audits", "cxm-cases", "cxm-location", "cxm-map", "cxm-maturity", "cxm-overview", "cxm-why"}

type dashboard struct {
	file string
	raw  map[string]any
}

func loadDashboards(t *testing.T) []dashboard {
	t.Helper()
	files, err := filepath.Glob("*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no dashboards in dashboards/ (%v)", err)
	}
	var out []dashboard
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, dashboard{file: f, raw: m})
	}
	return out
}

func (d dashboard) uid() string { s, _ := d.raw["uid"].(string); return s }

// panels returns every panel, the ones inside rows too.
func (d dashboard) panels() []map[string]any {
	var out []map[string]any
	var walk func([]any)
	walk = func(ps []any) {
		for _, p := range ps {
			pm, ok := p.(map[string]any)
			if !ok {
				continue
			}
			out = append(out, pm)
			if sub, ok := pm["panels"].([]any); ok {
				walk(sub)
			}
		}
	}
	ps, _ := d.raw["panels"].([]any)
	walk(ps)
	return out
}

func (d dashboard) variables() []map[string]any {
	tpl, _ := d.raw["templating"].(map[string]any)
	list, _ := tpl["list"].([]any)
	var out []map[string]any
	for _, v := range list {
		if vm, ok := v.(map[string]any); ok {
			out = append(out, vm)
		}
	}
	return out
}

// pluginModel is what the plugin's frontend declares (plugin/src/types.ts, plugin/src/plugin.json): read
// from its source so the dashboards cannot drift from the plugin.
type pluginModel struct {
	id           string
	queryTypes   []string
	queryFields  []string
	eventTypes   []string
	variableKind []string
	varFields    []string
}

// dataQueryFields are the fields every Grafana query has (@grafana/schema DataQuery).
var dataQueryFields = []string{"refId", "hide", "key", "queryType", "datasource"}

func readPlugin(t *testing.T) pluginModel {
	t.Helper()
	var pj struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	}
	b, err := os.ReadFile("../plugin/src/plugin.json")
	if err != nil {
		t.Fatalf("the plugin's plugin.json: %v", err)
	}
	if err := json.Unmarshal(b, &pj); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("../plugin/src/types.ts")
	if err != nil {
		t.Fatalf("the plugin's query model: %v", err)
	}
	ts := string(src)
	m := pluginModel{id: pj.ID}
	m.queryTypes = quoted(t, ts, `export type QueryType\s*=([^;]+);`)
	m.eventTypes = quoted(t, ts, `export const EVENT_TYPES\s*=\s*\[([^\]]+)\]`)
	m.queryFields = append(interfaceFields(t, ts, "CxmQuery"), dataQueryFields...)
	m.varFields = append(interfaceFields(t, ts, "CxmVariableQuery"), dataQueryFields...)
	m.variableKind = quoted(t, ts, `export interface CxmVariableQuery[^{]*\{[^}]*?\bkind\??:([^;]+);`)
	return m
}

// quoted returns the '…' strings of the first group of re in s.
func quoted(t *testing.T, s, re string) []string {
	t.Helper()
	mm := regexp.MustCompile(re).FindStringSubmatch(s)
	if mm == nil {
		t.Fatalf("plugin/src/types.ts no longer matches %s: update this test to where the plugin declares it", re)
	}
	var out []string
	for _, q := range regexp.MustCompile(`'([^']*)'`).FindAllStringSubmatch(mm[1], -1) {
		out = append(out, q[1])
	}
	if len(out) == 0 {
		t.Fatalf("no values in %q", mm[1])
	}
	return out
}

// interfaceFields lists the property names of a TypeScript interface (one property per line).
func interfaceFields(t *testing.T, ts, name string) []string {
	t.Helper()
	mm := regexp.MustCompile(`(?s)export interface ` + name + `\b[^{]*\{(.*?)\n\}`).FindStringSubmatch(ts)
	if mm == nil {
		t.Fatalf("plugin/src/types.ts has no interface %s", name)
	}
	var out []string
	for _, f := range regexp.MustCompile(`(?m)^\s+(\w+)\??:`).FindAllStringSubmatch(mm[1], -1) {
		out = append(out, f[1])
	}
	return out
}

// provisionedDataSource is the data source dashboards/provisioning/datasources/cxm.yaml creates.
func provisionedDataSource(t *testing.T) (uid, typ string, jsonData map[string]any, secure map[string]any) {
	t.Helper()
	b, err := os.ReadFile("provisioning/datasources/cxm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		APIVersion  int `yaml:"apiVersion"`
		Datasources []struct {
			Name           string         `yaml:"name"`
			Type           string         `yaml:"type"`
			UID            string         `yaml:"uid"`
			JSONData       map[string]any `yaml:"jsonData"`
			SecureJSONData map[string]any `yaml:"secureJsonData"`
		} `yaml:"datasources"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("datasource provisioning: %v", err)
	}
	if doc.APIVersion != 1 || len(doc.Datasources) != 1 {
		t.Fatalf("datasource provisioning: want apiVersion 1 and one data source, got %d and %d", doc.APIVersion, len(doc.Datasources))
	}
	ds := doc.Datasources[0]
	return ds.UID, ds.Type, ds.JSONData, ds.SecureJSONData
}

func TestProvisioning(t *testing.T) {
	plugin := readPlugin(t)
	uid, typ, jsonData, secure := provisionedDataSource(t)
	if typ != plugin.id {
		t.Errorf("provisioned data source type %q, the plugin's id is %q", typ, plugin.id)
	}
	if uid == "" {
		t.Error("the provisioned data source needs a fixed uid: the dashboards refer to it")
	}
	// The keys the plugin reads (plugin/src/types.ts CxmOptions, CxmSecureJsonData): a misspelt key is
	// silently ignored by Grafana, so check them here.
	src, _ := os.ReadFile("../plugin/src/types.ts")
	opts := interfaceFields(t, string(src), "CxmOptions")
	for k := range jsonData {
		if !slices.Contains(opts, k) {
			t.Errorf("jsonData.%s is not a plugin option (%v)", k, opts)
		}
	}
	for _, k := range []string{"address", "database", "configPath"} {
		if jsonData[k] == nil {
			t.Errorf("jsonData.%s is not set", k)
		}
	}
	secOpts := interfaceFields(t, string(src), "CxmSecureJsonData")
	for k := range secure {
		if !slices.Contains(secOpts, k) {
			t.Errorf("secureJsonData.%s is not a plugin secret (%v)", k, secOpts)
		}
	}

	b, err := os.ReadFile("provisioning/dashboards/cxm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var dp struct {
		APIVersion int `yaml:"apiVersion"`
		Providers  []struct {
			Type    string `yaml:"type"`
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	if err := yaml.Unmarshal(b, &dp); err != nil {
		t.Fatalf("dashboard provisioning: %v", err)
	}
	if dp.APIVersion != 1 || len(dp.Providers) != 1 || dp.Providers[0].Type != "file" || dp.Providers[0].Options.Path == "" {
		t.Errorf("dashboard provisioning: want one file provider with a path, got %+v", dp)
	}
}

func TestDashboardUIDs(t *testing.T) {
	var uids []string
	titles := map[string]string{}
	for _, d := range loadDashboards(t) {
		uid := d.uid()
		if want := strings.TrimSuffix(d.file, ".json"); uid != want {
			t.Errorf("%s: uid %q, want the file name %q", d.file, uid, want)
		}
		uids = append(uids, uid)
		title, _ := d.raw["title"].(string)
		if other, ok := titles[title]; ok || title == "" {
			t.Errorf("%s: title %q empty or also used by %s", d.file, title, other)
		}
		titles[title] = d.file
		if d.raw["id"] != nil {
			t.Errorf("%s: a provisioned dashboard must not carry a database id", d.file)
		}
	}
	sort.Strings(uids)
	if !slices.Equal(uids, wantUIDs) {
		t.Errorf("dashboard uids %v, want %v", uids, wantUIDs)
	}
}

// dsVar is the data-source variable every dashboard has: panels, queries and query variables refer to
// ${DS}, so a dashboard imported into another Grafana works with whatever uid its CXM data source has.
const dsVar = "DS"

// TestPanelsQueryThePlugin checks every panel and query against the data-source variable and the
// plugin's query model: a query type, a field, a KPI or an event type the plugin does not know fails.
func TestPanelsQueryThePlugin(t *testing.T) {
	plugin := readPlugin(t)
	dsUID, dsType := "${"+dsVar+"}", plugin.id
	for _, d := range loadDashboards(t) {
		ids := map[float64]bool{}
		for _, p := range d.panels() {
			title, _ := p["title"].(string)
			where := fmt.Sprintf("%s panel %q", d.file, title)
			if typ, _ := p["type"].(string); typ == "row" {
				continue
			}
			id, _ := p["id"].(float64)
			if id == 0 || ids[id] {
				t.Errorf("%s: id %v missing or not unique", where, p["id"])
			}
			ids[id] = true
			checkRef(t, where, p["datasource"], dsUID, dsType)
			targets, _ := p["targets"].([]any)
			if len(targets) == 0 {
				t.Errorf("%s: no queries", where)
			}
			refIDs := map[string]bool{}
			for _, tg := range targets {
				q, _ := tg.(map[string]any)
				ref, _ := q["refId"].(string)
				w := where + " query " + ref
				if ref == "" || refIDs[ref] {
					t.Errorf("%s: refId missing or repeated", w)
				}
				refIDs[ref] = true
				checkRef(t, w, q["datasource"], dsUID, dsType)
				qt, _ := q["queryType"].(string)
				if !slices.Contains(plugin.queryTypes, qt) {
					t.Errorf("%s: queryType %q is not one the plugin has (%v)", w, qt, plugin.queryTypes)
				}
				for k := range q {
					if !slices.Contains(plugin.queryFields, k) {
						t.Errorf("%s: field %q is not in the plugin's CxmQuery", w, k)
					}
				}
				for _, k := range strings1(q["kpis"]) {
					if !slices.Contains(kpi.Names, k) {
						t.Errorf("%s: unknown KPI %q", w, k)
					}
				}
				for _, e := range strings1(q["eventTypes"]) {
					if !slices.Contains(plugin.eventTypes, e) {
						t.Errorf("%s: unknown event type %q", w, e)
					}
				}
			}
			// Overrides that pick a query by refId must name one of the panel's queries.
			for _, ref := range frameRefMatchers(p) {
				if !refIDs[ref] {
					t.Errorf("%s: an override matches refId %q, which no query has", where, ref)
				}
			}
		}
	}
}

func checkRef(t *testing.T, where string, v any, uid, typ string) {
	t.Helper()
	ref, _ := v.(map[string]any)
	if ref["uid"] != uid || ref["type"] != typ {
		t.Errorf("%s: datasource %v, want {type: %s, uid: %s} (the data-source variable)", where, v, typ, uid)
	}
}

func strings1(v any) []string {
	l, _ := v.([]any)
	var out []string
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func frameRefMatchers(p map[string]any) []string {
	fc, _ := p["fieldConfig"].(map[string]any)
	ovs, _ := fc["overrides"].([]any)
	var out []string
	for _, o := range ovs {
		m, _ := o.(map[string]any)["matcher"].(map[string]any)
		if m["id"] == "byFrameRefID" {
			s, _ := m["options"].(string)
			out = append(out, s)
		}
	}
	return out
}

// varRef finds $name, ${name} and ${name:format} references. [[name]] is deprecated and not used here.
var varRef = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)(?:[:.][^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// builtins are Grafana's own variables, always defined.
func builtin(name string) bool { return strings.HasPrefix(name, "__") || name == "timeFilter" }

// TestVariablesResolve checks that every variable a dashboard uses is defined in it, that each query
// variable asks the data-source variable for something the plugin serves, and that the data-source
// variable lists the plugin's data sources and starts on the provisioned one.
func TestVariablesResolve(t *testing.T) {
	plugin := readPlugin(t)
	provisioned, _, _, _ := provisionedDataSource(t)
	dsUID, dsType := "${"+dsVar+"}", plugin.id
	for _, d := range loadDashboards(t) {
		defined := map[string]bool{}
		for _, v := range d.variables() {
			name, _ := v["name"].(string)
			if name == "" || defined[name] {
				t.Errorf("%s: variable name %q empty or repeated", d.file, name)
			}
			defined[name] = true
		}
		for _, v := range d.variables() {
			name, _ := v["name"].(string)
			switch v["type"] {
			case "query":
				checkRef(t, d.file+" variable "+name, v["datasource"], dsUID, dsType)
				q, _ := v["query"].(map[string]any)
				if kind, _ := q["kind"].(string); !slices.Contains(plugin.variableKind, kind) {
					t.Errorf("%s variable %s: kind %q is not one the plugin serves (%v)", d.file, name, kind, plugin.variableKind)
				}
				for k := range q {
					if !slices.Contains(plugin.varFields, k) {
						t.Errorf("%s variable %s: field %q is not in the plugin's CxmVariableQuery", d.file, name, k)
					}
				}
			case "datasource":
				cur, _ := v["current"].(map[string]any)
				if name != dsVar || v["query"] != plugin.id || cur["value"] != provisioned {
					t.Errorf("%s variable %s: want %s listing %s data sources, starting on the provisioned %q; got query %v current %v",
						d.file, name, dsVar, plugin.id, provisioned, v["query"], v["current"])
				}
			case "adhoc":
				checkRef(t, d.file+" variable "+name, v["datasource"], dsUID, dsType)
			case "custom", "constant", "textbox", "interval":
			default:
				t.Errorf("%s variable %s: type %v not expected", d.file, name, v["type"])
			}
		}
		// Everything but the templating list itself may use variables: panels, titles, links, queries,
		// and variable queries (a variable may depend on another).
		rest := map[string]any{}
		for k, v := range d.raw {
			if k != "templating" {
				rest[k] = v
			}
		}
		var varQueries []any
		for _, v := range d.variables() {
			varQueries = append(varQueries, v["query"])
		}
		b, _ := json.Marshal([]any{rest, varQueries})
		for _, m := range varRef.FindAllStringSubmatch(string(b), -1) {
			name := m[1] + m[2]
			if !builtin(name) && !defined[name] {
				t.Errorf("%s uses $%s, which it does not define", d.file, name)
			}
		}
	}
}

// TestLinksResolve checks drill-down links between the dashboards: /d/<uid> must be one of them and each
// var-<name> a variable of the target.
func TestLinksResolve(t *testing.T) {
	vars := map[string]map[string]bool{}
	ds := loadDashboards(t)
	for _, d := range ds {
		vars[d.uid()] = map[string]bool{}
		for _, v := range d.variables() {
			name, _ := v["name"].(string)
			vars[d.uid()][name] = true
		}
	}
	link := regexp.MustCompile(`/d/([a-z0-9-]+)(\?[^"]*)?`)
	found := 0
	for _, d := range ds {
		b, _ := json.Marshal(d.raw)
		for _, m := range link.FindAllStringSubmatch(string(b), -1) {
			found++
			target, ok := vars[m[1]]
			if !ok {
				t.Errorf("%s links to /d/%s, which is not a dashboard here", d.file, m[1])
				continue
			}
			for _, v := range regexp.MustCompile(`var-([A-Za-z0-9_]+)=`).FindAllStringSubmatch(m[2], -1) {
				if !target[v[1]] {
					t.Errorf("%s links to %s with var-%s, which it does not define", d.file, m[1], v[1])
				}
			}
		}
	}
	if found == 0 {
		t.Error("no drill-down links at all: the map and the overview should link to the location dashboard")
	}
}

// TestDashboardContents pins what each dashboard is for, so a refactoring cannot quietly drop it.
func TestDashboardContents(t *testing.T) {
	byUID := map[string]dashboard{}
	for _, d := range loadDashboards(t) {
		byUID[d.uid()] = d
	}
	has := func(uid, panelType, queryType string) []map[string]any {
		var out []map[string]any
		for _, p := range byUID[uid].panels() {
			if p["type"] != panelType {
				continue
			}
			for _, tg := range p["targets"].([]any) {
				if tg.(map[string]any)["queryType"] == queryType {
					out = append(out, p)
					break
				}
			}
		}
		if len(out) == 0 {
			t.Errorf("%s: no %s panel with a %s query", uid, panelType, queryType)
		}
		return out
	}
	has("cxm-overview", "table", "current")
	has("cxm-overview", "table", "geo")
	has("cxm-overview", "timeseries", "timeseries")
	for _, p := range has("cxm-map", "geomap", "geo") {
		b, _ := json.Marshal(p)
		for _, want := range []string{`"latitude":"latitude"`, `"longitude":"longitude"`, `"field":"status_rank"`, `/d/cxm-location?var-location=`, `"mode":"details"`} {
			if !strings.Contains(string(b), want) {
				t.Errorf("cxm-map geomap: lacks %s (flags at the coordinates, coloured by the worst status, details tooltip, drill-down)", want)
			}
		}
	}
	// The location dashboard shows KPIs of different scales on separate axes: some panel places one query
	// left and another right with different units.
	dual := 0
	for _, p := range has("cxm-location", "timeseries", "timeseries") {
		units := map[string]string{}
		for _, o := range p["fieldConfig"].(map[string]any)["overrides"].([]any) {
			var place, unit string
			for _, pr := range o.(map[string]any)["properties"].([]any) {
				prm := pr.(map[string]any)
				switch prm["id"] {
				case "custom.axisPlacement":
					place, _ = prm["value"].(string)
				case "unit":
					unit, _ = prm["value"].(string)
				}
			}
			if place != "" {
				units[place] = unit
			}
		}
		if units["left"] != "" && units["right"] != "" && units["left"] != units["right"] {
			dual++
		}
	}
	if dual == 0 {
		t.Error("cxm-location: no time series with a left and a right axis in different units")
	}
	for _, p := range has("cxm-location", "table", "events") {
		for _, tg := range p["targets"].([]any) {
			q := tg.(map[string]any)
			if q["withComment"] != true || !slices.Equal(strings1(q["eventTypes"]), []string{"survey"}) {
				t.Errorf("cxm-location recent comments: want surveys with comments, got %v", q)
			}
		}
	}
	has("cxm-location", "bargauge", "current") // sample sizes
	has("cxm-maturity", "table", "maturity")
	has("cxm-maturity", "bargauge", "maturity")
	has("cxm-cases", "table", "cases")
	// Why: reasons, subjects, employees and the review hand-off, reached from a location's traffic light.
	has("cxm-why", "table", "reasons")
	has("cxm-why", "table", "handoff")
	by := map[string]bool{}
	for _, p := range has("cxm-why", "table", "breakdown") {
		by[p["targets"].([]any)[0].(map[string]any)["by"].(string)] = true
	}
	if !by["subject"] || !by["seller"] {
		t.Errorf("cxm-why: breakdowns %v, want subject and seller", by)
	}
	for _, p := range has("cxm-location", "table", "current") {
		b, _ := json.Marshal(p)
		if !strings.Contains(string(b), `/d/cxm-why?var-location=${__data.fields.location}`) {
			t.Errorf("cxm-location %q: no drill-down from a traffic light to cxm-why", p["title"])
		}
	}
}

// TestLayout checks that panels sit on Grafana's 24-column grid without overlapping.
func TestLayout(t *testing.T) {
	for _, d := range loadDashboards(t) {
		type rect struct{ x, y, w, h float64 }
		var seen []rect
		var titles []string
		for _, p := range d.panels() {
			g, _ := p["gridPos"].(map[string]any)
			r := rect{num(g["x"]), num(g["y"]), num(g["w"]), num(g["h"])}
			title, _ := p["title"].(string)
			if r.w <= 0 || r.h <= 0 || r.x < 0 || r.x+r.w > 24 {
				t.Errorf("%s panel %q: gridPos %v is off the 24-column grid", d.file, title, g)
			}
			for i, o := range seen {
				if r.x < o.x+o.w && o.x < r.x+r.w && r.y < o.y+o.h && o.y < r.y+r.h {
					t.Errorf("%s: panels %q and %q overlap", d.file, title, titles[i])
				}
			}
			seen, titles = append(seen, r), append(titles, title)
		}
	}
}

func num(v any) float64 { f, _ := v.(float64); return f }
