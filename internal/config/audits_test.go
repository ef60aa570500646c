package config

import (
	"strings"
	"testing"
)

func TestAuditsExampleConfig(t *testing.T) {
	c, err := Load("../../cxm.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	tp := c.Audits.Template("retail")
	if tp == nil || len(tp.Factors) != 3 {
		t.Fatalf("retail template = %+v", tp)
	}
	el, factor := tp.Element("fitting")
	if el == nil || factor != "needs" || !el.NAAllowed || el.Weight != 1 {
		t.Fatalf("fitting = %+v in %q", el, factor)
	}
	if el, _ := tp.Element("greet"); el == nil || !el.Critical {
		t.Fatalf("greet = %+v, want critical", el)
	}
	if tp.Cap(&c.Audits) != 0 || c.Audits.Evidence.MaxBytes != 50<<20 {
		t.Fatalf("cap %v, evidence %+v", tp.Cap(&c.Audits), c.Audits.Evidence)
	}
	if got := c.Audits.For(&c.Locations[0]); len(got) != 2 {
		t.Fatalf("templates for %s: %d, want 2 (both apply everywhere)", c.Locations[0].ID, len(got))
	}
}

func TestAuditTemplateErrors(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, key string
	}{
		{"bad weight", `{id: t, title: {ru: a, en: b}, factors: [{id: f, title: {ru: a, en: b}, elements: [{id: e, weight: 0, title: {ru: a, en: b}}]}]}`, "audits.templates[0].factors[0].elements[0].weight"},
		{"duplicate element", `{id: t, title: {ru: a, en: b}, factors: [{id: f, title: {ru: a, en: b}, elements: [{id: e, weight: 1, title: {ru: a, en: b}}]}, {id: g, title: {ru: a, en: b}, elements: [{id: e, weight: 1, title: {ru: a, en: b}}]}]}`, "audits.templates[0].factors[1].elements[0].id"},
		{"missing en title", `{id: t, title: {ru: a}, factors: [{id: f, title: {ru: a, en: b}, elements: [{id: e, weight: 1, title: {ru: a, en: b}}]}]}`, "audits.templates[0].title"},
		{"no factors", `{id: t, title: {ru: a, en: b}}`, "audits.templates[0].factors"},
		{"bad id", `{id: "Bad Id", title: {ru: a, en: b}, factors: [{id: f, title: {ru: a, en: b}, elements: [{id: e, weight: 1, title: {ru: a, en: b}}]}]}`, "audits.templates[0].id"},
		{"unknown location", `{id: t, locations: [nowhere], title: {ru: a, en: b}, factors: [{id: f, title: {ru: a, en: b}, elements: [{id: e, weight: 1, title: {ru: a, en: b}}]}]}`, "audits.templates[0].locations[0]"},
		{"cap out of range", `{id: t, critical_cap: 120, title: {ru: a, en: b}, factors: [{id: f, title: {ru: a, en: b}, elements: [{id: e, weight: 1, title: {ru: a, en: b}}]}]}`, "audits.templates[0].critical_cap"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(writeFile(t, "audits:\n  templates:\n    - "+tc.yaml+"\n"), nil)
			if err == nil || !strings.Contains(err.Error(), "config "+tc.key+":") {
				t.Fatalf("error %v, want one on %s", err, tc.key)
			}
		})
	}
}
