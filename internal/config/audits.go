package config

import (
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/cxm-project/cxm/internal/kpi"
)

// Audits configures service-standard audits: the checklist templates (a standard's elements grouped into
// factors), the standard compliance index's thresholds, and the evidence attached to visits.
type Audits struct {
	// CriticalCap is the highest score (0..100) a visit with a failed critical element can get; -1
	// disables the cap (a failed critical element then weighs only its weight). A template may override it.
	CriticalCap float64 `koanf:"critical_cap"`
	// Thresholds colour the ИВС (and each factor's) of a location: the same fields as kpi.thresholds.
	Thresholds ThresholdConfig `koanf:"thresholds"`
	// StatusWindow is the rolling window over which the status evaluator judges each location's ИВС for
	// Prometheus and the alerts (cxm_indicator_status{kpi="ivs:<template>"}); 0 turns that off.
	StatusWindow time.Duration `koanf:"status_window"`
	// MaxElements bounds the elements of one template (and so of one audit event).
	MaxElements int             `koanf:"max_elements"`
	Evidence    Evidence        `koanf:"evidence"`
	Import      AuditImport     `koanf:"import"`
	Templates   []AuditTemplate `koanf:"templates"`
	byID        map[string]*AuditTemplate
}

// Evidence is what the evidence upload accepts and how long it is kept (objects live in objstore).
type Evidence struct {
	MaxBytes int64    `koanf:"max_bytes"`
	Types    []string `koanf:"types"` // sniffed media types or families ("image/*")
	// Retention deletes evidence older than this (0 keeps it forever); checked every ExpireInterval.
	Retention      time.Duration `koanf:"retention"`
	ExpireInterval time.Duration `koanf:"expire_interval"`
}

// AuditImport bounds the CSV import of an agency's results.
type AuditImport struct {
	MaxBytes int64 `koanf:"max_bytes"`
	MaxRows  int   `koanf:"max_rows"`
}

// AuditTemplate is one checklist: a standard's elements grouped into factors. It applies to the
// locations it selects: by id, region or type (any that matches; none given: every location).
type AuditTemplate struct {
	ID          string        `koanf:"id" json:"id"`
	Title       Titles        `koanf:"title" json:"title"`
	Locations   []string      `koanf:"locations" json:"locations,omitempty"`
	Regions     []string      `koanf:"regions" json:"regions,omitempty"`
	Types       []string      `koanf:"types" json:"types,omitempty"`
	CriticalCap *float64      `koanf:"critical_cap" json:"critical_cap,omitempty"` // nil: audits.critical_cap
	Factors     []AuditFactor `koanf:"factors" json:"factors"`
	elements    map[string]*AuditElement
	factorOf    map[string]string
}

// Titles are a name in Russian and English.
type Titles struct {
	RU string `koanf:"ru" json:"ru"`
	EN string `koanf:"en" json:"en"`
}

// AuditFactor groups elements (greeting, discovering needs, …): its ИВС is computed over them.
type AuditFactor struct {
	ID       string         `koanf:"id" json:"id"`
	Title    Titles         `koanf:"title" json:"title"`
	Elements []AuditElement `koanf:"elements" json:"elements"`
}

// AuditElement is one checked point of the standard.
type AuditElement struct {
	ID    string `koanf:"id" json:"id"`
	Title Titles `koanf:"title" json:"title"`
	// Weight is a positive integer, so the weighted sums of a visit are exact.
	Weight int `koanf:"weight" json:"weight"`
	// NAAllowed lets the auditor mark the element "not applicable" (it then leaves the denominator).
	NAAllowed bool `koanf:"na_allowed" json:"na_allowed"`
	// Critical: failing it caps the visit's score (critical_cap).
	Critical bool `koanf:"critical" json:"critical"`
}

// auditIDPattern is the form of template, factor and element ids: they appear in events, CSV headers and URLs.
var auditIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,63}$`)

func auditsDefaults() map[string]any {
	return map[string]any{
		"audits.critical_cap":             0.0,
		"audits.thresholds.yellow":        90.0,
		"audits.thresholds.red":           80.0,
		"audits.thresholds.min_n":         int64(3),
		"audits.max_elements":             200,
		"audits.status_window":            30 * 24 * time.Hour,
		"audits.evidence.max_bytes":       int64(50 << 20),
		"audits.evidence.types":           []string{"image/*", "audio/*", "video/*", "application/ogg"},
		"audits.evidence.retention":       time.Duration(0),
		"audits.evidence.expire_interval": time.Hour,
		"audits.import.max_bytes":         int64(20 << 20),
		"audits.import.max_rows":          100000,
		"audits.templates":                []map[string]any{},
	}
}

func (a *Audits) validate(c *Config, es *Errors) {
	if a.CriticalCap != -1 && (a.CriticalCap < 0 || a.CriticalCap > 100) {
		es.add("audits.critical_cap", "must be between 0 and 100, or -1 for no cap")
	}
	th := a.Thresholds
	if th.Yellow == nil || th.Red == nil || *th.Red > *th.Yellow {
		es.add("audits.thresholds", "needs yellow and red with red <= yellow (higher is better), e.g. yellow: 90, red: 80")
	}
	if a.StatusWindow < 0 {
		es.add("audits.status_window", "must be 0 (off) or positive, e.g. 720h")
	}
	if a.MaxElements < 1 {
		es.add("audits.max_elements", "must be at least 1")
	}
	if a.Evidence.MaxBytes < 1 {
		es.add("audits.evidence.max_bytes", "must be positive, e.g. 52428800 (50 MiB)")
	}
	if len(a.Evidence.Types) == 0 {
		es.add("audits.evidence.types", "must list at least one media type, e.g. image/*")
	}
	if a.Evidence.Retention < 0 {
		es.add("audits.evidence.retention", "must be 0 (keep forever) or positive, e.g. 8760h")
	}
	if a.Evidence.Retention > 0 && a.Evidence.ExpireInterval <= 0 {
		es.add("audits.evidence.expire_interval", "must be positive when retention is set, e.g. 1h")
	}
	if a.Import.MaxBytes < 1 || a.Import.MaxRows < 1 {
		es.add("audits.import", "max_bytes and max_rows must be positive")
	}
	a.byID = map[string]*AuditTemplate{}
	for i := range a.Templates {
		t := &a.Templates[i]
		key := fmt.Sprintf("audits.templates[%d]", i)
		if !auditIDPattern.MatchString(t.ID) {
			es.add(key+".id", "must be 1..64 of a-z 0-9 _ . - starting with a letter or digit, not %q", t.ID)
		} else if a.byID[t.ID] != nil {
			es.add(key+".id", "duplicate template id %q", t.ID)
		}
		a.byID[t.ID] = t
		if t.Title.RU == "" || t.Title.EN == "" {
			es.add(key+".title", "needs ru and en")
		}
		if t.CriticalCap != nil && *t.CriticalCap != -1 && (*t.CriticalCap < 0 || *t.CriticalCap > 100) {
			es.add(key+".critical_cap", "must be between 0 and 100, or -1 for no cap")
		}
		for j, l := range t.Locations {
			if c.Location(l) == nil {
				es.add(fmt.Sprintf("%s.locations[%d]", key, j), "unknown location %q", l)
			}
		}
		if len(t.Factors) == 0 {
			es.add(key+".factors", "must have at least one factor")
		}
		t.elements, t.factorOf = map[string]*AuditElement{}, map[string]string{}
		factors := map[string]bool{}
		for j := range t.Factors {
			f := &t.Factors[j]
			fkey := fmt.Sprintf("%s.factors[%d]", key, j)
			if !auditIDPattern.MatchString(f.ID) {
				es.add(fkey+".id", "must be 1..64 of a-z 0-9 _ . -, not %q", f.ID)
			} else if factors[f.ID] {
				es.add(fkey+".id", "duplicate factor id %q", f.ID)
			}
			factors[f.ID] = true
			if f.Title.RU == "" || f.Title.EN == "" {
				es.add(fkey+".title", "needs ru and en")
			}
			if len(f.Elements) == 0 {
				es.add(fkey+".elements", "must have at least one element")
			}
			for k := range f.Elements {
				el := &f.Elements[k]
				ekey := fmt.Sprintf("%s.elements[%d]", fkey, k)
				if !auditIDPattern.MatchString(el.ID) {
					es.add(ekey+".id", "must be 1..64 of a-z 0-9 _ . -, not %q", el.ID)
				} else if t.elements[el.ID] != nil {
					es.add(ekey+".id", "duplicate element id %q in the template", el.ID)
				}
				t.elements[el.ID], t.factorOf[el.ID] = el, f.ID
				if el.Title.RU == "" || el.Title.EN == "" {
					es.add(ekey+".title", "needs ru and en")
				}
				if el.Weight < 1 || el.Weight > 1000 {
					es.add(ekey+".weight", "must be an integer 1..1000, not %d", el.Weight)
				}
			}
		}
		if len(t.elements) > a.MaxElements {
			es.add(key+".factors", "has %d elements, more than audits.max_elements (%d)", len(t.elements), a.MaxElements)
		}
	}
}

// Template returns the template with the id, or nil.
func (a *Audits) Template(id string) *AuditTemplate {
	if t := a.byID[id]; t != nil {
		return t
	}
	for i := range a.Templates { // added in Go after validation (tests): not indexed
		if a.Templates[i].ID == id {
			return &a.Templates[i]
		}
	}
	return nil
}

// For lists the templates that apply to a location.
func (a *Audits) For(l *Location) []*AuditTemplate {
	var out []*AuditTemplate
	for i := range a.Templates {
		if a.Templates[i].AppliesTo(l) {
			out = append(out, &a.Templates[i])
		}
	}
	return out
}

// AppliesTo reports whether the template may be used at l.
func (t *AuditTemplate) AppliesTo(l *Location) bool {
	if len(t.Locations) == 0 && len(t.Regions) == 0 && len(t.Types) == 0 {
		return true
	}
	return slices.Contains(t.Locations, l.ID) || (l.Region != "" && slices.Contains(t.Regions, l.Region)) ||
		(l.Type != "" && slices.Contains(t.Types, l.Type))
}

// Element returns the element with the id and its factor's id, or nil.
func (t *AuditTemplate) Element(id string) (*AuditElement, string) {
	if t.elements != nil {
		return t.elements[id], t.factorOf[id]
	}
	for j := range t.Factors {
		for k := range t.Factors[j].Elements {
			if el := &t.Factors[j].Elements[k]; el.ID == id {
				return el, t.Factors[j].ID
			}
		}
	}
	return nil, ""
}

// Cap is the template's critical cap (-1: none).
func (t *AuditTemplate) Cap(a *Audits) float64 {
	if t.CriticalCap != nil {
		return *t.CriticalCap
	}
	return a.CriticalCap
}

// Threshold is the ИВС threshold (higher is better), the same for the visit's index and each factor's.
func (a *Audits) Threshold() kpi.Threshold {
	th := kpi.Threshold{Direction: kpi.HigherIsBetter}
	if a.Thresholds.Yellow != nil {
		th.Yellow = *a.Thresholds.Yellow
	}
	if a.Thresholds.Red != nil {
		th.Red = *a.Thresholds.Red
	}
	if a.Thresholds.MinN != nil {
		th.MinN = *a.Thresholds.MinN
	}
	return th
}
