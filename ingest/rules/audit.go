package rules

import (
	"slices"
	"strconv"
	"strings"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
)

// EvidencePrefix is the object-store prefix of a location's audit evidence: downloads are authorised by
// the location in the key, so an audit may only reference evidence of its own location.
func EvidencePrefix(location string) string { return "audits/" + location + "/" }

// checkAudit checks an audit against its template (audits.templates) and, when it passes, stamps the
// template's scoring into it (each element's factor, weight and critical flag, and the critical cap), so
// the processor scores without the configuration and a later change of the template leaves past visits
// as they were scored. Each error names the field.
func (r *Rules) checkAudit(e *event.Event) event.Errors {
	if e.Type != event.TypeAudit || e.Audit == nil {
		return nil
	}
	a := e.Audit
	var errs event.Errors
	t := r.audits.Template(a.Template)
	if t == nil {
		return event.Errors{{Field: "audit.template", Reason: "unknown template: not in audits.templates"}}
	}
	if l := r.locations[e.Location]; l != nil && !t.AppliesTo(l) {
		errs = append(errs, event.FieldError{Field: "audit.template", Reason: "does not apply to location " + strconv.Quote(e.Location) + " (its locations, regions and types)"})
	}
	answered := map[string]bool{}
	for i, res := range a.Elements {
		p := "audit.elements." + strconv.Itoa(i) + "."
		el, _ := t.Element(res.Element)
		if el == nil {
			errs = append(errs, event.FieldError{Field: p + "element", Reason: "not an element of template " + strconv.Quote(t.ID)})
			continue
		}
		answered[res.Element] = true
		if res.Result == event.ResultNA && !el.NAAllowed {
			errs = append(errs, event.FieldError{Field: p + "result", Reason: "n/a is not allowed for element " + strconv.Quote(el.ID)})
		}
	}
	var missing []string
	for _, f := range t.Factors {
		for _, el := range f.Elements {
			if !answered[el.ID] {
				missing = append(missing, el.ID)
			}
		}
	}
	if len(missing) > 0 {
		errs = append(errs, event.FieldError{Field: "audit.elements", Reason: "missing elements of template " + strconv.Quote(t.ID) + ": " + strings.Join(missing, ", ") + " (answer na where allowed)"})
	}
	for i, k := range a.Evidence {
		if !strings.HasPrefix(k, EvidencePrefix(e.Location)) {
			errs = append(errs, event.FieldError{Field: "audit.evidence." + strconv.Itoa(i), Reason: "not evidence of location " + strconv.Quote(e.Location) + " (upload it with POST /v1/evidence?location=" + e.Location + ")"})
		}
	}
	if errs != nil {
		return errs
	}
	for i := range a.Elements {
		el, factor := t.Element(a.Elements[i].Element)
		a.Elements[i].Factor, a.Elements[i].Weight, a.Elements[i].Critical = factor, el.Weight, el.Critical
	}
	c := t.Cap(r.audits)
	a.Cap = &c
	return nil
}

// AuditTemplates lists the templates that apply to a location (the audit form offers these).
func (r *Rules) AuditTemplates(location string) []*config.AuditTemplate {
	l := r.locations[location]
	if l == nil {
		return nil
	}
	return slices.Clip(r.audits.For(l))
}

// AuditTemplate returns the configured template, or nil.
func (r *Rules) AuditTemplate(id string) *config.AuditTemplate { return r.audits.Template(id) }

// AuditElementIDs are the element ids of every template (the columns an agency's CSV may have).
func (r *Rules) AuditElementIDs() map[string]bool {
	out := map[string]bool{}
	for _, t := range r.audits.Templates {
		for _, f := range t.Factors {
			for _, e := range f.Elements {
				out[e.ID] = true
			}
		}
	}
	return out
}
