package kpi

import (
	"fmt"
	"slices"

	"github.com/cxm-project/cxm/internal/event"
)

// Meta describes a KPI for display: the plugin's field config and the API's documentation read it.
type Meta struct {
	Name    string
	Title   string // English
	TitleRU string
	Unit    string // Grafana unit id: "none", "percent", "short", "currencyRUB"…
	// Decimals shown.
	Decimals int
	// Min and Max are the fixed range where the KPI has one (NPS -100..100); HasRange says they are set.
	Min, Max float64
	HasRange bool
	// HigherIsBetter is the default direction of the KPI's thresholds.
	HigherIsBetter bool
	// Count KPIs (visitors, receipts…) add up over time; the others are ratios or means.
	Count bool
}

// Feed is how events feed some components: Add adds one counted event of one of Types into c. Several
// KPIs may share a feed (conversion and receipts both read the POS receipts); the registry runs each feed
// once per event whatever the number of KPIs that need it.
type Feed struct {
	Name  string
	Types []event.Type
	Add   func(c *Components, e *event.Event)
}

// Def is everything CXM knows about one KPI: adding a KPI is adding a Def (and its tests).
type Def struct {
	Meta
	// Needs are the component columns (Columns' names) the formula reads; the query engine reads only these.
	Needs []string
	// Feeds fill those components from events (the processor's minute buckets).
	Feeds []*Feed
	// Formula computes the figure from summed components: N, Value and Valid, and the interval where the
	// KPI has one. It never averages ratios: the components of any range are summed first.
	Formula func(c *Components, opt Options) Value
	// Interval names the 95 % interval Formula gives ("" when none), for the documentation.
	Interval string
	// Surveys are the configured questionnaires whose components (Components.Survey) the formula reads; the
	// query engine reads survey_minute for them. Configured says the KPI comes from the configuration's
	// indices (SetConfigured replaces those).
	Surveys    []string
	Configured bool
	// Audits are the audit templates whose components (Components.Audit, audit_minute) the formula reads:
	// the ИВС KPIs (audit.go), which SetAudits replaces.
	Audits []string
	// Cases says the formula reads the case components (Components.Case): the closed loop's KPIs
	// (cases.go), which the query engine computes from the cases' histories in the events table.
	Cases bool
}

// Registry holds the KPIs by name, in the order the API, plugin and dashboards list them.
type Registry struct {
	defs   []*Def
	byName map[string]*Def
	feeds  [len(eventTypes)][]func(*Components, *event.Event) // each feed once, under each of its types
}

// eventTypes index Registry.feeds: a switch on the type is cheaper than a map lookup on the processor's
// per-event path.
var eventTypes = [...]event.Type{event.TypeButton, event.TypeCounter, event.TypePOS, event.TypeSurvey}

func typeIndex(t event.Type) int {
	switch t {
	case event.TypeButton:
		return 0
	case event.TypeCounter:
		return 1
	case event.TypePOS:
		return 2
	case event.TypeSurvey:
		return 3
	}
	return -1
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{byName: map[string]*Def{}}
}

// Register adds a KPI. It is an error when the name is taken or empty, a needed column does not exist or
// the formula is missing; so a KPI defined in the configuration is checked at start-up.
func (r *Registry) Register(d Def) error {
	if d.Name == "" {
		return fmt.Errorf("kpi: a KPI needs a name")
	}
	if _, ok := r.byName[d.Name]; ok {
		return fmt.Errorf("kpi %q: registered twice", d.Name)
	}
	if d.Formula == nil {
		return fmt.Errorf("kpi %q: no formula", d.Name)
	}
	for _, f := range d.Feeds {
		for _, t := range f.Types {
			if typeIndex(t) < 0 {
				return fmt.Errorf("kpi %q: feed %s of unknown event type %q", d.Name, f.Name, t)
			}
		}
	}
	if len(d.Needs) == 0 && len(d.Surveys) == 0 && len(d.Audits) == 0 && !d.Cases {
		return fmt.Errorf("kpi %q: needs no component", d.Name)
	}
	for _, n := range d.Needs {
		if !slices.ContainsFunc(Columns, func(c Column) bool { return c.Name == n }) {
			return fmt.Errorf("kpi %q: needs unknown component column %q", d.Name, n)
		}
	}
	def := d
	r.defs = append(r.defs, &def)
	r.byName[d.Name] = &def
	for _, f := range d.Feeds {
		if slices.ContainsFunc(r.defs[:len(r.defs)-1], func(o *Def) bool { return slices.Contains(o.Feeds, f) }) {
			continue // already fed by an earlier KPI
		}
		for _, t := range f.Types {
			i := typeIndex(t)
			r.feeds[i] = append(r.feeds[i], f.Add)
		}
	}
	return nil
}

// Lookup returns the KPI's definition; ok is false for an unknown name.
func (r *Registry) Lookup(name string) (*Def, bool) {
	d, ok := r.byName[name]
	return d, ok
}

// Names lists the KPIs in registration order.
func (r *Registry) Names() []string {
	out := make([]string, len(r.defs))
	for i, d := range r.defs {
		out[i] = d.Name
	}
	return out
}

// Feed adds one counted event's contribution to c, through every feed of its type. Repeats and duplicates
// must not reach it: the caller decides what counts.
func (r *Registry) Feed(c *Components, e *event.Event) {
	i := typeIndex(e.Type)
	if i < 0 {
		return
	}
	for _, add := range r.feeds[i] {
		add(c, e)
	}
}

// Compute computes one KPI from summed components. An unknown name gives an invalid Value; callers check
// names at their edge (config, API, plugin) so that a typo is an error there.
func (r *Registry) Compute(name string, c *Components, opt Options) Value {
	d, ok := r.byName[name]
	if !ok {
		return Value{KPI: name}
	}
	v := d.Formula(c, opt)
	v.KPI = name
	return v
}

// Builtin is the registry of CXM's own KPIs (builtin.go, then the case KPIs of cases.go). KPIs defined in
// the configuration are added to it at start-up, before anything reads it.
var Builtin = func() *Registry {
	r := NewRegistry()
	for _, d := range append(slices.Clone(builtins), CaseDefs...) {
		if err := r.Register(d); err != nil {
			panic(err)
		}
	}
	return r
}()

// Names are the built-in KPIs, in the order the API, plugin and dashboards list them.
var Names = Builtin.Names()

// MetaOf returns the KPI's description; ok is false for an unknown name.
func MetaOf(name string) (m Meta, ok bool) {
	d, ok := Builtin.Lookup(name)
	if !ok {
		return Meta{}, false
	}
	return d.Meta, true
}

// Known reports whether name is a KPI.
func Known(name string) bool {
	_, ok := Builtin.Lookup(name)
	return ok
}

// Compute computes one KPI of the built-in registry.
func Compute(name string, c *Components, opt Options) Value { return Builtin.Compute(name, c, opt) }
