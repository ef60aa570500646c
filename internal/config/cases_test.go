package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestCasesDefaults: the defaults load, validate, and give the documented tree and rules.
func TestCasesDefaults(t *testing.T) {
	c, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	cs := c.Cases
	if len(cs.Rules) != 5 || cs.Rules[0].ID != "complaint" || cs.Rules[0].Messages[0] != "complaint" {
		t.Errorf("rules %+v", cs.Rules)
	}
	if leaves := cs.Leaves(); !slices.Contains(leaves, "staff.politeness") || !slices.Contains(leaves, "process.queue") || slices.Contains(leaves, "staff") {
		t.Errorf("leaves %v", leaves)
	}
	if len(cs.Checklists["message"]) != 3 || cs.Checklists["message"][0].TitleRU == "" {
		t.Errorf("checklists %+v", cs.Checklists)
	}
	if cs.RuleSLA("complaint") != 24*time.Hour {
		t.Errorf("sla %s", cs.RuleSLA("complaint"))
	}
	// The case KPIs are judged over cases.status_window, the others over kpi.windows; 0 gives them back.
	if w, ok := c.OwnStatusWindow("cases_resolved_in_sla"); !ok || w.Name != "7d" || w.Duration != 7*24*time.Hour || c.StatusWindowOf("case_resolution_hours") != "7d" {
		t.Errorf("cases_resolved_in_sla own window %+v %v", w, ok)
	}
	if _, ok := c.OwnStatusWindow("nps"); ok || c.StatusWindowOf("nps") != "1h" {
		t.Errorf("nps has a window of its own: %s", c.StatusWindowOf("nps"))
	}
	c.Cases.StatusWindow = 36 * time.Hour
	if c.StatusWindowOf("cases_overdue") != "36h0m0s" {
		t.Errorf("36h window labelled %q", c.StatusWindowOf("cases_overdue"))
	}
	c.Cases.StatusWindow = 0
	if _, ok := c.OwnStatusWindow("cases_overdue"); ok || c.StatusWindowOf("cases_overdue") != "1h" {
		t.Errorf("cases.status_window 0: %s, want kpi.status_window", c.StatusWindowOf("cases_overdue"))
	}
}

// TestCasesValidate: each bad setting is reported under its key.
func TestCasesValidate(t *testing.T) {
	for _, tc := range []struct{ yaml, key string }{
		{"cases:\n  rules:\n    - {id: x, kind: bogus}\n", "cases.rules[0].kind"},
		{"cases:\n  rules:\n    - {id: x, kind: nps, max: 10}\n", "cases.rules[0].max"},
		{"cases:\n  rules:\n    - {id: x, kind: message}\n    - {id: x, kind: csat, max: 2}\n", "cases.rules[1].id"},
		{"cases:\n  rules:\n    - {id: X Y, kind: contact_me}\n", "cases.rules[0].id"},
		{"cases:\n  causes:\n    - {id: staff, title_ru: П, title_en: S, children: [{id: a.b, title_ru: x, title_en: y}]}\n", "cases.causes[0].children[0].id"},
		{"cases:\n  checklists:\n    message: [{id: a, title_ru: x}]\n", "cases.checklists.message[0]"},
		{"cases:\n  window: 0s\n", "cases.window"},
		{"cases:\n  causes: []\n", "cases.causes"},
		{"cases:\n  status_window: -1h\n", "cases.status_window"},
		{"kpi:\n  thresholds:\n    case_resolution_hours: {red: 1}\n", "kpi.thresholds.case_resolution_hours.red"},
	} {
		p := filepath.Join(t.TempDir(), "c.yaml")
		if err := os.WriteFile(p, []byte(tc.yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Load(p, nil)
		if err == nil || !strings.Contains(err.Error(), "config "+tc.key+":") {
			t.Errorf("%q: error %v, want one on %s", tc.yaml, err, tc.key)
		}
	}
}
