package config

import (
	"strings"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/kpi"
)

const kpiLocations = `
locations:
  - {id: store-001, name: A, region: north, timezone: Europe/Moscow}
  - {id: store-002, name: B, region: north, timezone: Europe/Moscow}
  - {id: store-003, name: C, region: south, timezone: Europe/Moscow}
`

func TestKPIDefaults(t *testing.T) {
	c, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	k := &c.KPI
	var names []string
	for _, w := range k.WindowList() {
		names = append(names, w.Name+"="+w.Duration.String())
	}
	if got := strings.Join(names, " "); got != "15m=15m0s 1h=1h0m0s 24h=24h0m0s 7d=168h0m0s" {
		t.Errorf("windows %s", got)
	}
	if k.StatusWindowName() != "1h" || k.EvaluateInterval != time.Minute || k.NPSPolicy() != kpi.RespondentsOnly {
		t.Errorf("status window %q, interval %s, policy %s", k.StatusWindowName(), k.EvaluateInterval, k.NPSPolicy())
	}
	h := kpi.HigherIsBetter
	want := map[string]kpi.Threshold{
		"nps":         {Direction: h, Yellow: 30, Red: 0, MinN: 30},
		"csat":        {Direction: h, Yellow: 80, Red: 70, MinN: 30},
		"ces":         {Direction: h, Yellow: 5, Red: 4, MinN: 30},
		"smile_index": {Direction: h, Yellow: 70, Red: 50, MinN: 30},
		"like_index":  {Direction: h, Yellow: 40, Red: 0, MinN: 30},
		"conversion":  {Direction: h, Yellow: 15, Red: 10, MinN: 100},
		"coverage":    {Direction: h, Yellow: 50, Red: 30, MinN: 100},
		// The case KPIs' (cases.go).
		"cases_resolved_in_sla":   {Direction: h, Yellow: 90, Red: 75, MinN: 3},
		"case_first_action_hours": {Direction: kpi.LowerIsBetter, Yellow: 2, Red: 4, MinN: 3},
		"case_resolution_hours":   {Direction: kpi.LowerIsBetter, Yellow: 12, Red: 24, MinN: 3},
		"cases_overdue":           {Direction: kpi.LowerIsBetter, Yellow: 0, Red: 2, MinN: 1},
	}
	for _, name := range kpi.Names {
		th, ok := k.ThresholdFor(name, nil)
		w, wantOK := want[name]
		if ok != wantOK || th != w {
			t.Errorf("ThresholdFor(%s) = %+v, %v; want %+v, %v", name, th, ok, w, wantOK)
		}
	}
}

// Location beats region beats global, field by field; a location without overrides gets the global value.
func TestThresholdForPrecedence(t *testing.T) {
	path := writeFile(t, kpiLocations+`
kpi:
  nps_policy: detractors
  thresholds:
    nps: {red: -10}
    visitors: {yellow: 200, red: 100, min_n: 1}
  overrides:
    - {region: north, kpi: nps, yellow: 40, red: 10}
    - {location: store-002, kpi: nps, red: 20, min_n: 5}
    - {location: store-003, kpi: revenue, direction: lower, yellow: 1000, red: 5000}
`)
	c, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := kpi.HigherIsBetter
	for _, tc := range []struct {
		kpi, loc string
		want     kpi.Threshold
		ok       bool
	}{
		{"nps", "", kpi.Threshold{Direction: h, Yellow: 30, Red: -10, MinN: 30}, true},                       // global: file red over default
		{"nps", "store-003", kpi.Threshold{Direction: h, Yellow: 30, Red: -10, MinN: 30}, true},              // south: no override
		{"nps", "store-001", kpi.Threshold{Direction: h, Yellow: 40, Red: 10, MinN: 30}, true},               // region
		{"nps", "store-002", kpi.Threshold{Direction: h, Yellow: 40, Red: 20, MinN: 5}, true},                // location over region
		{"visitors", "store-001", kpi.Threshold{Direction: h, Yellow: 200, Red: 100, MinN: 1}, true},         // operator-set global
		{"revenue", "store-003", kpi.Threshold{Direction: kpi.LowerIsBetter, Yellow: 1000, Red: 5000}, true}, // location only
		{"revenue", "store-001", kpi.Threshold{}, false},
		{"receipts", "store-001", kpi.Threshold{}, false},
	} {
		var loc *Location
		if tc.loc != "" {
			loc = c.Location(tc.loc)
		}
		th, ok := c.KPI.ThresholdFor(tc.kpi, loc)
		if th != tc.want || ok != tc.ok {
			t.Errorf("ThresholdFor(%s, %s) = %+v, %v; want %+v, %v", tc.kpi, tc.loc, th, ok, tc.want, tc.ok)
		}
	}
	if c.KPI.NPSPolicy() != kpi.NonRespondersAsDetractors {
		t.Errorf("nps_policy %s", c.KPI.NPSPolicy())
	}
}

func TestKPIValidation(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"no windows", "kpi: {windows: []}", "config kpi.windows: must list at least one window"},
		{"window not whole minutes", "kpi: {windows: [90s, 1h]}", "config kpi.windows[0]: must be a positive whole number of minutes"},
		{"window garbage", "kpi: {windows: [1h, soon]}", `config kpi.windows[1]: must be a duration such as 15m, 1h or 7d, not "soon"`},
		{"duplicate window", "kpi: {windows: [1h, 60m]}", `config kpi.windows[1]: "60m" is the same window as kpi.windows[0]`},
		{"status window not a window", "kpi: {windows: [15m, 1h], status_window: 24h}", `config kpi.status_window: must be one of kpi.windows (15m, 1h), not "24h"`},
		{"nps policy", "kpi: {nps_policy: everyone}", `config kpi.nps_policy: must be respondents, detractors or passives, not "everyone"`},
		{"interval not minutes", "kpi: {evaluate_interval: 30s}", "config kpi.evaluate_interval: must be a whole number of minutes, at least 1m"},
		{"delay past interval", "kpi: {evaluate_delay: 1m}", "config kpi.evaluate_delay: must be 0 or more and below kpi.evaluate_interval"},
		{"timeout", "kpi: {evaluate_timeout: 0s}", "config kpi.evaluate_timeout: must be positive"},
		{"red above yellow", "kpi: {thresholds: {nps: {red: 40}}}", "config kpi.thresholds.nps.red: must be below yellow for a higher-is-better KPI (red 40, yellow 30)"},
		{"red equal to yellow", "kpi: {thresholds: {csat: {red: 80}}}", "config kpi.thresholds.csat.red: must be below yellow for a higher-is-better KPI"},
		{"lower: red below yellow", "kpi: {thresholds: {nps: {direction: lower}}}", "config kpi.thresholds.nps.red: must be above yellow for a lower-is-better KPI (red 0, yellow 30)"},
		{"bad direction", "kpi: {thresholds: {nps: {direction: up}}}", `config kpi.thresholds.nps.direction: must be higher or lower, not "up"`},
		{"negative min_n", "kpi: {thresholds: {nps: {min_n: -1}}}", "config kpi.thresholds.nps.min_n: must not be negative"},
		{"unknown KPI", "kpi: {thresholds: {happiness: {yellow: 1, red: 0}}}", `config kpi.thresholds.happiness: unknown KPI "happiness"`},
		{"yellow without red", "kpi: {thresholds: {visitors: {yellow: 100}}}", "config kpi.thresholds.visitors.red: must be set when yellow is"},
		{"override unknown location", "kpi: {overrides: [{location: store-404, kpi: nps, yellow: 1, red: 0}]}", `config kpi.overrides[0].location: unknown location "store-404"`},
		{"override unknown region", "kpi: {overrides: [{region: west, kpi: nps, yellow: 1, red: 0}]}", `config kpi.overrides[0].region: unknown region "west"`},
		{"override unknown KPI", "kpi: {overrides: [{region: north, kpi: happiness, yellow: 1, red: 0}]}", `config kpi.overrides[0].kpi: unknown KPI "happiness"`},
		{"override both", "kpi: {overrides: [{region: north, location: store-001, kpi: nps}]}", "config kpi.overrides[0]: set either location or region, not both"},
		{"override neither", "kpi: {overrides: [{kpi: nps, red: 1}]}", "config kpi.overrides[0]: must name a location or a region"},
		{"override makes red above yellow", "kpi: {overrides: [{location: store-001, kpi: nps, red: 35}]}", "config kpi.overrides[0].red: must be below yellow for a higher-is-better KPI (red 35, yellow 30) (effective at location store-001)"},
		{"override of a KPI without threshold needs both", "kpi: {overrides: [{region: north, kpi: visitors, red: 10}]}", "config kpi.overrides[0].yellow: must be set when red is"},
		{"duplicate override", "kpi: {overrides: [{location: store-001, kpi: nps, red: 1}, {location: store-001, kpi: nps, red: 2}]}", "config kpi.overrides[1]: overrides the same location or region and KPI as kpi.overrides[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(writeFile(t, kpiLocations+tc.yaml+"\n"), nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

// Environment variables reach nested threshold keys (a double underscore is an underscore in a key).
func TestKPIThresholdFromEnv(t *testing.T) {
	t.Setenv("CXM_KPI_THRESHOLDS_SMILE__INDEX_RED", "45")
	t.Setenv("CXM_KPI_WINDOWS", "5m,1h")
	c, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	th, ok := c.KPI.ThresholdFor("smile_index", nil)
	if !ok || th.Red != 45 || th.Yellow != 70 || th.MinN != 30 {
		t.Errorf("smile_index threshold %+v, %v", th, ok)
	}
	if ws := c.KPI.WindowList(); len(ws) != 2 || ws[0].Name != "5m" || ws[1].Duration != time.Hour {
		t.Errorf("windows %+v", ws)
	}
}
