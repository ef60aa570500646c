package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
)

func auditEvent(t *testing.T, audit string) event.Event {
	t.Helper()
	e, errs := event.Parse([]byte(`{"id":"v1","type":"audit","location":"store-001","time":"2026-12-07T10:00:00Z","audit":` + audit + `}`))
	if errs != nil {
		t.Fatalf("parse: %v", errs)
	}
	return e
}

const allRetail = `[{"element":"greet","result":"met"},{"element":"smile","result":"not_met","comment":"no"},{"element":"open_questions","result":"met"},{"element":"fitting","result":"na"},{"element":"offer","result":"met"},{"element":"goodbye","result":"met"}]`

func TestCheckAudit(t *testing.T) {
	cfg, err := config.Load("../../cxm.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Audits.Templates = append(cfg.Audits.Templates, config.AuditTemplate{ID: "north", Regions: []string{"northwest"},
		Title: config.Titles{RU: "с", EN: "n"}, Factors: []config.AuditFactor{{ID: "f", Elements: []config.AuditElement{{ID: "e", Weight: 1}}}}})
	r := New(cfg)
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, audit string
		field       string // "" = accepted
		reason      string
	}{
		{"complete", `{"template":"retail","auditor":{"role":"mystery_shopper","id":"s"},"elements":` + allRetail + `,"evidence":["audits/store-001/2026/12/a.jpg"]}`, "", ""},
		{"unknown template", `{"template":"bank","auditor":{"role":"internal","id":"s"},"elements":[{"element":"x","result":"met"}]}`, "audit.template", "unknown template"},
		{"template of another region", `{"template":"north","auditor":{"role":"internal","id":"s"},"elements":[{"element":"e","result":"met"}]}`, "audit.template", "does not apply"},
		{"unknown element", `{"template":"button","auditor":{"role":"device","id":"d"},"elements":[{"element":"served","result":"met"},{"element":"wow","result":"met"}]}`, "audit.elements.1.element", "not an element"},
		{"n/a not allowed", `{"template":"button","auditor":{"role":"device","id":"d"},"elements":[{"element":"served","result":"na"}]}`, "audit.elements.0.result", "n/a is not allowed"},
		{"missing elements", `{"template":"retail","auditor":{"role":"internal","id":"s"},"elements":[{"element":"greet","result":"met"}]}`, "audit.elements", "smile, open_questions, fitting, offer, goodbye"},
		{"evidence of another location", `{"template":"button","auditor":{"role":"device","id":"d"},"elements":[{"element":"served","result":"met"}],"evidence":["audits/store-002/x.jpg"]}`, "audit.evidence.0", "not evidence of location"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := auditEvent(t, tc.audit)
			errs := r.Check(&e, now)
			if tc.field == "" {
				if errs != nil {
					t.Fatalf("rejected: %v", errs)
				}
				return
			}
			if !errs.Has(tc.field) || !strings.Contains(errs.Error(), tc.reason) {
				t.Fatalf("errors %v, want %s: ...%s...", errs, tc.field, tc.reason)
			}
		})
	}

	// A passing audit is stamped with the template's scoring, and the stamp survives the canonical form.
	e := auditEvent(t, `{"template":"retail","auditor":{"role":"mystery_shopper","id":"s"},"elements":`+allRetail+`}`)
	e.Audit.Elements[0].Weight = 999 // a sender's weight is replaced
	if errs := r.Check(&e, now); errs != nil {
		t.Fatal(errs)
	}
	back, errs := event.Parse(e.AppendJSON(nil))
	if errs != nil {
		t.Fatal(errs)
	}
	g := back.Audit.Elements[0]
	if g.Factor != "greeting" || g.Weight != 2 || !g.Critical || back.Audit.Cap == nil || *back.Audit.Cap != 0 {
		t.Fatalf("stamped greet = %+v cap %v", g, back.Audit.Cap)
	}
	if f := back.Audit.Elements[3]; f.Factor != "needs" || f.Weight != 1 || f.Critical {
		t.Fatalf("stamped fitting = %+v", f)
	}
}
