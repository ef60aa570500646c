package dashboards

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cxm-project/cxm/plugin/pkg/plugin"
)

// The checks below pin what a Grafana user expects of a dashboard: thresholds drawn on the graphs,
// coloured headline figures, drill-downs that keep the time range and the variables, multi-value
// variables with All, ad-hoc filters, a data-source variable and money in a currency unit.

// headlineKPIs are the KPIs the location dashboard shows as coloured stat panels.
var headlineKPIs = []string{"nps", "csat", "ces", "smile_index", "conversion"}

// currencyKPIs are money amounts: their axes and figures need a currency unit, not a plain number.
var currencyKPIs = []string{"revenue", "avg_receipt"}

// TestTemplateVariables: a data-source variable first (the others query through it), an ad-hoc filter
// variable, and the location and region pickers multi-valued with All.
func TestTemplateVariables(t *testing.T) {
	for _, d := range loadDashboards(t) {
		vars := d.variables()
		types := map[string]int{}
		for _, v := range vars {
			typ, _ := v["type"].(string)
			types[typ]++
		}
		if len(vars) == 0 || vars[0]["type"] != "datasource" || types["datasource"] != 1 {
			t.Errorf("%s: want exactly one data-source variable, first in the list (the others query through it)", d.file)
		}
		if types["adhoc"] != 1 {
			t.Errorf("%s: want one ad-hoc filter variable, got %d", d.file, types["adhoc"])
		}
		for _, v := range vars {
			if name := v["name"]; name == "location" || name == "region" {
				if v["multi"] != true || v["includeAll"] != true {
					t.Errorf("%s variable %s: multi %v includeAll %v, want both true", d.file, name, v["multi"], v["includeAll"])
				}
			}
		}
	}
}

// TestThresholdsDrawn: every time series draws its KPI thresholds as lines or bands. The thresholds
// themselves are the plugin's (from kpi_status, checked against kpi.Classify in plugin/pkg/plugin): a
// dashboard must not carry numeric steps of its own, which would stand in for them on a KPI without a
// status and colour it by a made-up limit (Grafana's default is red at 80).
func TestThresholdsDrawn(t *testing.T) {
	styles := []string{"line", "dashed", "area", "line+area", "dashed+area"}
	drawn := 0
	for _, d := range loadDashboards(t) {
		for _, p := range d.panels() {
			where := fmt.Sprintf("%s panel %q", d.file, p["title"])
			fc, _ := p["fieldConfig"].(map[string]any)
			defaults, _ := fc["defaults"].(map[string]any)
			switch p["type"] {
			case "timeseries":
				custom, _ := defaults["custom"].(map[string]any)
				style, _ := custom["thresholdsStyle"].(map[string]any)
				if mode, _ := style["mode"].(string); !slices.Contains(styles, mode) {
					t.Errorf("%s: custom.thresholdsStyle %v, want one of %v so the red zone shows", where, custom["thresholdsStyle"], styles)
				} else {
					drawn++
				}
				checkOwnThresholds(t, where, defaults["thresholds"])
			case "stat", "table", "bargauge":
				checkOwnThresholds(t, where, defaults["thresholds"])
			}
			ovs, _ := fc["overrides"].([]any)
			for _, o := range ovs {
				props, _ := o.(map[string]any)["properties"].([]any)
				for _, pr := range props {
					if pr.(map[string]any)["id"] == "thresholds" && p["type"] != "geomap" {
						t.Errorf("%s: an override sets thresholds; KPI thresholds come from the plugin", where)
					}
				}
			}
		}
	}
	if drawn == 0 {
		t.Error("no time series draws thresholds")
	}
}

// checkOwnThresholds: no thresholds, or only the base step.
func checkOwnThresholds(t *testing.T, where string, v any) {
	t.Helper()
	th, _ := v.(map[string]any)
	steps, _ := th["steps"].([]any)
	if len(steps) > 1 {
		t.Errorf("%s: the dashboard sets threshold steps %v; KPI thresholds come from the plugin (kpi_status)", where, steps)
	}
}

// TestHeadlineStats: the location dashboard opens with one stat per headline KPI, its background the
// status colour: a single-KPI current query, for which the plugin sends that KPI's thresholds.
func TestHeadlineStats(t *testing.T) {
	var got []string
	for _, d := range loadDashboards(t) {
		for _, p := range d.panels() {
			if p["type"] != "stat" {
				continue
			}
			where := fmt.Sprintf("%s panel %q", d.file, p["title"])
			targets, _ := p["targets"].([]any)
			if len(targets) != 1 {
				t.Errorf("%s: want one query, got %d", where, len(targets))
				continue
			}
			q := targets[0].(map[string]any)
			kpis := strings1(q["kpis"])
			if q["queryType"] != "current" || len(kpis) != 1 {
				t.Errorf("%s: want a current query of one KPI (the plugin then sends its thresholds), got %v %v", where, q["queryType"], kpis)
				continue
			}
			opts, _ := p["options"].(map[string]any)
			if mode, _ := opts["colorMode"].(string); !strings.HasPrefix(mode, "background") {
				t.Errorf("%s: colorMode %q, want the status colour as background", where, mode)
			}
			fc, _ := p["fieldConfig"].(map[string]any)
			color, _ := fc["defaults"].(map[string]any)["color"].(map[string]any)
			if color["mode"] != "thresholds" {
				t.Errorf("%s: colour mode %v, want thresholds (the status)", where, color["mode"])
			}
			reduce, _ := opts["reduceOptions"].(map[string]any)
			if reduce["fields"] != "/^value$/" {
				t.Errorf("%s: shows fields %v, want the value column (/^value$/)", where, reduce["fields"])
			}
			if d.uid() == "cxm-location" {
				got = append(got, kpis[0])
			}
		}
	}
	for _, k := range headlineKPIs {
		if !slices.Contains(got, k) {
			t.Errorf("cxm-location: no stat panel for %s (has %v)", k, got)
		}
	}
}

// TestDrillDownsKeepContext: a drill-down keeps the time range and the variables (the data source and the
// ad-hoc filters among them), dashboard links too, and so does the plugin's own link on location cells.
func TestDrillDownsKeepContext(t *testing.T) {
	link := regexp.MustCompile(`/d/[a-z0-9-]+\?[^"]*`)
	n := 0
	for _, d := range loadDashboards(t) {
		b, _ := json.Marshal(d.raw)
		for _, m := range link.FindAllString(string(b), -1) {
			n++
			for _, want := range []string{"${__url_time_range}", "${__all_variables}"} {
				if !strings.Contains(m, want) {
					t.Errorf("%s: link %s lacks %s", d.file, m, want)
				}
			}
		}
		links, _ := d.raw["links"].([]any)
		for _, l := range links {
			l := l.(map[string]any)
			if l["keepTime"] != true || l["includeVars"] != true {
				t.Errorf("%s: dashboard link %v: want keepTime and includeVars", d.file, l["title"])
			}
		}
	}
	if n == 0 {
		t.Error("no drill-down links found")
	}
	// The plugin's link is on every location cell of any dashboard, the user's own too: it cannot know
	// that dashboard's variables, but it keeps the time range.
	if !strings.Contains(plugin.LocationDashboardURL, "${__url_time_range}") {
		t.Errorf("plugin.LocationDashboardURL %q lacks ${__url_time_range}", plugin.LocationDashboardURL)
	}
}

// TestCurrencyUnits: a query of money KPIs gets a currency unit on its axis or figure.
func TestCurrencyUnits(t *testing.T) {
	n := 0
	for _, d := range loadDashboards(t) {
		for _, p := range d.panels() {
			targets, _ := p["targets"].([]any)
			for _, tg := range targets {
				q := tg.(map[string]any)
				kpis := strings1(q["kpis"])
				money := 0
				for _, k := range kpis {
					if slices.Contains(currencyKPIs, k) {
						money++
					}
				}
				if money == 0 {
					continue
				}
				n++
				where := fmt.Sprintf("%s panel %q query %v", d.file, p["title"], q["refId"])
				if money != len(kpis) {
					t.Errorf("%s: money KPIs %v share a query with counts; give them a query of their own for the currency axis", where, kpis)
					continue
				}
				if u := unitOf(p, q["refId"].(string)); !strings.HasPrefix(u, "currency") {
					t.Errorf("%s: unit %q, want a currency unit", where, u)
				}
			}
		}
	}
	if n == 0 {
		t.Error("no panel shows revenue or the average receipt")
	}
}

// unitOf is the unit the panel gives query refID's fields: an override by that refId, else the default.
func unitOf(p map[string]any, refID string) string {
	fc, _ := p["fieldConfig"].(map[string]any)
	ovs, _ := fc["overrides"].([]any)
	for _, o := range ovs {
		om := o.(map[string]any)
		m, _ := om["matcher"].(map[string]any)
		if m["id"] != "byFrameRefID" || m["options"] != refID {
			continue
		}
		for _, pr := range om["properties"].([]any) {
			if prm := pr.(map[string]any); prm["id"] == "unit" {
				s, _ := prm["value"].(string)
				return s
			}
		}
	}
	// Panel defaults yield to the unit the plugin sends, so only an override decides.
	return ""
}
