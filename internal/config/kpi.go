package config

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cxm-project/cxm/internal/kpi"
)

// KPI configures the status evaluator (processor/status): the rolling windows it judges, the NPS policy, how
// often it runs, and the yellow / red thresholds per KPI with per-region and per-location overrides.
//
// config imports internal/kpi (never the other way round): thresholds are resolved here into the plain
// kpi.Threshold that kpi.Classify takes.
type KPI struct {
	// Windows are the rolling windows every KPI is evaluated over, e.g. [15m, 1h, 24h, 7d]: Go durations or
	// whole days ("7d"), each a whole number of minutes (the components are per minute). The spelling is the
	// window's label in kpi_status and in metrics.
	Windows []string `koanf:"windows"`
	// StatusWindow is the window whose status is "the" status of a KPI: the one cxm_indicator_status (and
	// so the red-indicator alert) and the map use. Must be one of Windows.
	StatusWindow string `koanf:"status_window"`
	// NPSPolicyName says how survey submissions without an NPS answer count: respondents | detractors |
	// passives (see kpi.NPSPolicy).
	NPSPolicyName string `koanf:"nps_policy"`
	// EvaluateInterval is how often statuses are evaluated, at wall-clock multiples of it (a whole number
	// of minutes).
	EvaluateInterval time.Duration `koanf:"evaluate_interval"`
	// EvaluateDelay is how long after each tick the evaluation starts, so the minute that just ended has
	// been flushed by the processor before it is read (a window ends at the tick, not at the delay).
	EvaluateDelay time.Duration `koanf:"evaluate_delay"`
	// EvaluateAfterFlush turns the evaluator event-driven: after each processor flush the locations it
	// changed are judged again, at most once per this interval (at least 1s: kpi_status keeps the latest row
	// by its evaluated_at second), with windows ending at the end of the current minute, so a light turns
	// within seconds of the event. 0: only every evaluate_interval, over closed minutes.
	EvaluateAfterFlush time.Duration `koanf:"evaluate_after_flush"`
	// Metrics is which Prometheus series the status evaluator exports per location: all (values, sample
	// sizes, statuses, thresholds), statuses (no values or sample sizes), or red (only the lights that are
	// red, with their thresholds, values and sample sizes; a series disappears when its light leaves red).
	// A chain of thousands of stores: statuses or red (deploy/README.md, Sizing).
	Metrics string `koanf:"metrics"`
	// EvaluateTimeout bounds one evaluation: its ClickHouse reads (also sent as max_execution_time) and
	// writes together.
	EvaluateTimeout time.Duration `koanf:"evaluate_timeout"`
	// StatusHistoryRetention is how long kpi_status_history keeps its rows, in whole months: a month is
	// dropped once all of it is older than this (0: keep forever). Works on every server version.
	StatusHistoryRetention time.Duration `koanf:"status_history_retention"`
	// Thresholds are the global thresholds per KPI name. The defaults cover the CX and conversion KPIs;
	// count KPIs (visitors, receipts, revenue…) have none, so their status is "none", until set here.
	Thresholds map[string]ThresholdConfig `koanf:"thresholds"`
	// Overrides change a KPI's threshold for a region or one location: location beats region beats global.
	// Fields an override leaves out come from the next level down.
	Overrides []ThresholdOverride `koanf:"overrides"`
}

// The kpi.metrics modes.
const (
	MetricsAll      = "all"
	MetricsStatuses = "statuses"
	MetricsRed      = "red"
)

// ThresholdConfig is one KPI's threshold as written in the config. Unset fields are nil: a KPI with neither
// yellow nor red has no threshold; direction defaults to the KPI's own (kpi.MetaOf), min_n to 0.
type ThresholdConfig struct {
	Direction string   `koanf:"direction"` // higher | lower
	Yellow    *float64 `koanf:"yellow"`
	Red       *float64 `koanf:"red"`
	MinN      *int64   `koanf:"min_n"`
}

// ThresholdOverride is a threshold for one region or one location (exactly one of them).
type ThresholdOverride struct {
	Region          string `koanf:"region"`
	Location        string `koanf:"location"`
	KPI             string `koanf:"kpi"`
	ThresholdConfig `koanf:",squash"`
}

// Window is one parsed entry of kpi.windows.
type Window struct {
	Name     string // as configured: "15m", "1h", "7d"
	Duration time.Duration
}

// ParseWindow reads a window: a Go duration ("15m", "1h", "24h") or whole days ("7d"); it must be a
// positive whole number of minutes.
func ParseWindow(s string) (time.Duration, error) {
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 1 || n > 100*366 {
			return 0, fmt.Errorf("must be a duration such as 15m, 1h or 7d, not %q", s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("must be a duration such as 15m, 1h or 7d, not %q", s)
		}
	}
	if d < time.Minute || d%time.Minute != 0 {
		return 0, fmt.Errorf("must be a positive whole number of minutes (KPI components are per minute), not %q", s)
	}
	return d, nil
}

// WindowList returns the parsed windows in configured order (invalid entries, which validation refuses,
// are left out).
func (k *KPI) WindowList() []Window {
	var ws []Window
	for _, s := range k.Windows {
		if d, err := ParseWindow(strings.TrimSpace(s)); err == nil {
			ws = append(ws, Window{Name: strings.TrimSpace(s), Duration: d})
		}
	}
	return ws
}

// StatusWindowName is the label of the status window as it appears in WindowList (status_window may be
// spelled differently, "60m" for "1h"); "" when it is not one of the windows.
func (k *KPI) StatusWindowName() string {
	d, err := ParseWindow(strings.TrimSpace(k.StatusWindow))
	if err != nil {
		return ""
	}
	for _, w := range k.WindowList() {
		if w.Duration == d {
			return w.Name
		}
	}
	return ""
}

// NPSPolicy is the parsed nps_policy (validation refuses other spellings; RespondentsOnly for those).
func (k *KPI) NPSPolicy() kpi.NPSPolicy {
	p, _ := kpi.ParseNPSPolicy(k.NPSPolicyName)
	return p
}

// merge lays o's set fields over t.
func (t ThresholdConfig) merge(o ThresholdConfig) ThresholdConfig {
	if o.Direction != "" {
		t.Direction = o.Direction
	}
	if o.Yellow != nil {
		t.Yellow = o.Yellow
	}
	if o.Red != nil {
		t.Red = o.Red
	}
	if o.MinN != nil {
		t.MinN = o.MinN
	}
	return t
}

// resolve turns a (merged) threshold into a kpi.Threshold; ok is false when it has neither limit.
func (t ThresholdConfig) resolve(name string) (th kpi.Threshold, ok bool, err error) {
	if t.Yellow == nil && t.Red == nil {
		return kpi.Threshold{}, false, nil
	}
	th.Direction = kpi.DefaultDirection(name)
	if t.Direction != "" {
		if th.Direction, err = kpi.ParseDirection(t.Direction); err != nil {
			return kpi.Threshold{}, false, &FieldError{Key: "direction", Reason: err.Error()}
		}
	}
	if t.Yellow == nil {
		return kpi.Threshold{}, false, &FieldError{Key: "yellow", Reason: "must be set when red is"}
	}
	if t.Red == nil {
		return kpi.Threshold{}, false, &FieldError{Key: "red", Reason: "must be set when yellow is"}
	}
	th.Yellow, th.Red = *t.Yellow, *t.Red
	if t.MinN != nil {
		th.MinN = *t.MinN
	}
	if th.MinN < 0 {
		return kpi.Threshold{}, false, &FieldError{Key: "min_n", Reason: fmt.Sprintf("must not be negative, got %d", th.MinN)}
	}
	if err := th.Check(); err != nil {
		// Check's message starts with the offending limit's name; the key names red, the limit that is
		// on the wrong side.
		reason := "must be below yellow for a higher-is-better KPI"
		if th.Direction == kpi.LowerIsBetter {
			reason = "must be above yellow for a lower-is-better KPI"
		}
		return kpi.Threshold{}, false, &FieldError{Key: "red", Reason: fmt.Sprintf("%s (red %g, yellow %g)", reason, th.Red, th.Yellow)}
	}
	return th, true, nil
}

// ThresholdFor returns the effective threshold of the KPI at the location (nil: the global one): the
// location's override over its region's over the global threshold, field by field. ok is false when the
// KPI has no threshold there (its status is "none").
func (k *KPI) ThresholdFor(name string, loc *Location) (kpi.Threshold, bool) {
	t := k.effective(name, loc)
	th, ok, err := t.resolve(name)
	if err != nil {
		return kpi.Threshold{}, false // validation refuses such a config before anyone asks
	}
	return th, ok
}

func (k *KPI) effective(name string, loc *Location) ThresholdConfig {
	t := k.Thresholds[name]
	if loc == nil {
		return t
	}
	if loc.Region != "" {
		for _, o := range k.Overrides {
			if o.KPI == name && o.Location == "" && o.Region == loc.Region {
				t = t.merge(o.ThresholdConfig)
			}
		}
	}
	for _, o := range k.Overrides {
		if o.KPI == name && o.Location == loc.ID {
			t = t.merge(o.ThresholdConfig)
		}
	}
	return t
}

func (k *KPI) validate(c *Config, es *Errors) {
	if len(k.Windows) == 0 {
		es.add("kpi.windows", "must list at least one window, e.g. [15m, 1h, 24h, 7d]")
	}
	seen := map[time.Duration]int{}
	for i, s := range k.Windows {
		key := fmt.Sprintf("kpi.windows[%d]", i)
		d, err := ParseWindow(strings.TrimSpace(s))
		if err != nil {
			es.add(key, "%v", err)
			continue
		}
		if j, dup := seen[d]; dup {
			es.add(key, "%q is the same window as kpi.windows[%d] (%q)", s, j, k.Windows[j])
		}
		seen[d] = i
	}
	if _, err := ParseWindow(strings.TrimSpace(k.StatusWindow)); err != nil {
		es.add("kpi.status_window", "%v", err)
	} else if k.StatusWindowName() == "" {
		es.add("kpi.status_window", "must be one of kpi.windows (%s), not %q", strings.Join(k.Windows, ", "), k.StatusWindow)
	}
	if _, err := kpi.ParseNPSPolicy(k.NPSPolicyName); err != nil {
		es.add("kpi.nps_policy", "%v", err)
	}
	if k.EvaluateInterval < time.Minute || k.EvaluateInterval%time.Minute != 0 {
		es.add("kpi.evaluate_interval", "must be a whole number of minutes, at least 1m, got %s", k.EvaluateInterval)
	}
	switch k.Metrics {
	case MetricsAll, MetricsStatuses, MetricsRed:
	default:
		es.add("kpi.metrics", "must be all, statuses or red, got %q", k.Metrics)
	}
	if k.EvaluateAfterFlush != 0 && k.EvaluateAfterFlush < time.Second {
		es.add("kpi.evaluate_after_flush", "must be 0 (off) or at least 1s, got %s", k.EvaluateAfterFlush)
	}
	if k.EvaluateDelay < 0 || k.EvaluateDelay >= k.EvaluateInterval && k.EvaluateInterval > 0 {
		es.add("kpi.evaluate_delay", "must be 0 or more and below kpi.evaluate_interval (%s), got %s", k.EvaluateInterval, k.EvaluateDelay)
	}
	if r := k.StatusHistoryRetention; r != 0 && r < 24*time.Hour {
		es.add("kpi.status_history_retention", "must be 0 (keep forever) or at least 24h, got %s", r)
	}
	if k.EvaluateTimeout <= 0 {
		es.add("kpi.evaluate_timeout", "must be positive, e.g. 30s")
	}

	for _, name := range slices.Sorted(maps.Keys(k.Thresholds)) {
		key := "kpi.thresholds." + name
		if !kpi.Known(name) {
			es.add(key, "unknown KPI %q: must be one of %s", name, strings.Join(kpi.Names, ", "))
			continue
		}
		if _, _, err := k.Thresholds[name].resolve(name); err != nil {
			fe := err.(*FieldError)
			es.add(key+"."+fe.Key, "%s", fe.Reason)
		}
	}

	type target struct{ region, location, kpi string }
	dup := map[target]int{}
	regions := map[string]bool{}
	for _, l := range c.Locations {
		if l.Region != "" {
			regions[l.Region] = true
		}
	}
	for i, o := range k.Overrides {
		key := fmt.Sprintf("kpi.overrides[%d]", i)
		if !kpi.Known(o.KPI) {
			es.add(key+".kpi", "unknown KPI %q: must be one of %s", o.KPI, strings.Join(kpi.Names, ", "))
			continue
		}
		var locs []*Location // the locations the override applies to, to check the merged thresholds
		switch {
		case o.Location != "" && o.Region != "":
			es.add(key, "set either location or region, not both")
			continue
		case o.Location != "":
			l := c.Location(o.Location)
			if l == nil {
				es.add(key+".location", "unknown location %q", o.Location)
				continue
			}
			locs = []*Location{l}
		case o.Region != "":
			if !regions[o.Region] {
				es.add(key+".region", "unknown region %q: no location of the registry has it", o.Region)
				continue
			}
			for j := range c.Locations {
				if c.Locations[j].Region == o.Region {
					locs = append(locs, &c.Locations[j])
				}
			}
		default:
			es.add(key, "must name a location or a region")
			continue
		}
		tg := target{o.Region, o.Location, o.KPI}
		if j, ok := dup[tg]; ok {
			es.add(key, "overrides the same location or region and KPI as kpi.overrides[%d]", j)
			continue
		}
		dup[tg] = i
		// The override alone must make sense (its own fields), and so must what it makes of every location
		// it applies to; the first location whose merged threshold is wrong is named.
		for _, l := range locs {
			if _, _, err := k.effective(o.KPI, l).resolve(o.KPI); err != nil {
				fe := err.(*FieldError)
				es.add(key+"."+fe.Key, "%s (effective at location %s)", fe.Reason, l.ID)
				break
			}
		}
	}
}

// kpiDefaults are the defaults of the kpi section, keyed "kpi.…". Thresholds (direction, yellow, red,
// min_n): the CX scores at the levels CX programmes commonly call good / poor, with 30 answers before a
// survey score is judged; conversion and coverage need 100 visitors.
func kpiDefaults() map[string]any {
	m := map[string]any{
		"kpi.windows":                  []string{"15m", "1h", "24h", "7d"},
		"kpi.status_window":            "1h",
		"kpi.nps_policy":               "respondents",
		"kpi.evaluate_interval":        time.Minute,
		"kpi.evaluate_delay":           10 * time.Second,
		"kpi.evaluate_after_flush":     time.Second,
		"kpi.metrics":                  MetricsAll,
		"kpi.evaluate_timeout":         30 * time.Second,
		"kpi.status_history_retention": 90 * 24 * time.Hour,
	}
	for _, d := range []struct {
		name        string
		yellow, red float64
		minN        int64
	}{
		{"nps", 30, 0, 30},
		{"csat", 80, 70, 30},
		{"ces", 5, 4, 30},
		{"smile_index", 70, 50, 30},
		{"like_index", 40, 0, 30},
		{"conversion", 15, 10, 100},
		{"coverage", 50, 30, 100},
	} {
		p := "kpi.thresholds." + d.name + "."
		m[p+"direction"] = "higher"
		m[p+"yellow"] = d.yellow
		m[p+"red"] = d.red
		m[p+"min_n"] = d.minN
	}
	return m
}
