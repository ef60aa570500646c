package kpi

import (
	"strings"
	"testing"

	"github.com/cxm-project/cxm/internal/event"
)

func TestRegisterRefusesBadDefs(t *testing.T) {
	ok := func(c *Components, _ Options) Value { return Value{} }
	tests := []struct {
		name string
		def  Def
		want string
	}{
		{"no name", Def{Needs: []string{"visitors"}, Formula: ok}, "kpi: a KPI needs a name"},
		{"taken", Def{Meta: Meta{Name: "nps"}, Needs: []string{"visitors"}, Formula: ok}, `kpi "nps": registered twice`},
		{"no formula", Def{Meta: Meta{Name: "x"}, Needs: []string{"visitors"}}, `kpi "x": no formula`},
		{"no needs", Def{Meta: Meta{Name: "x"}, Formula: ok}, `kpi "x": needs no component`},
		{"unknown column", Def{Meta: Meta{Name: "x"}, Needs: []string{"visitors", "smiles"}, Formula: ok}, `kpi "x": needs unknown component column "smiles"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRegistry()
			for _, d := range builtins {
				if err := r.Register(d); err != nil {
					t.Fatal(err)
				}
			}
			if err := r.Register(tt.def); err == nil || err.Error() != tt.want {
				t.Errorf("Register = %v, want %q", err, tt.want)
			}
		})
	}
}

// Adding a KPI is one Def: a registry with the built-ins and a refund rate computes it from the same
// components, fed once per event although several KPIs share the POS feed.
func TestAddingAKPI(t *testing.T) {
	r := NewRegistry()
	for _, d := range builtins {
		if err := r.Register(d); err != nil {
			t.Fatal(err)
		}
	}
	refundRate := Def{
		Meta:  Meta{Name: "refund_rate", Title: "Refund rate", TitleRU: "Доля возвратов", Unit: "percent", Decimals: 1, Min: 0, Max: 100, HasRange: true},
		Needs: []string{"receipts", "refunds"}, Feeds: []*Feed{feedPOS}, Interval: "Wilson score",
		Formula: func(c *Components, _ Options) (v Value) { v.proportion(c.Refunds, c.Receipts+c.Refunds); return v },
	}
	if err := r.Register(refundRate); err != nil {
		t.Fatal(err)
	}
	if names := r.Names(); names[len(names)-1] != "refund_rate" || len(names) != len(builtins)+1 {
		t.Errorf("names %v", names)
	}
	var c Components
	for _, e := range []event.Event{
		{Type: event.TypePOS, Amount: 1000, Items: 2},
		{Type: event.TypePOS, Amount: 500, Items: 1},
		{Type: event.TypePOS, Amount: 500, Items: 1, Refund: true},
		{Type: event.TypeCounter, In: 10, Out: 9},
	} {
		r.Feed(&c, &e)
	}
	if c.Receipts != 2 || c.Refunds != 1 || c.RevenueCents != 1000 || c.Items != 2 || c.Visitors != 10 {
		t.Fatalf("components %+v: the POS feed must run once per event", c)
	}
	if v := r.Compute("refund_rate", &c, Options{}); !v.Valid || v.N != 3 || !near(v.Value, 100.0/3) || !v.HasInterval || v.KPI != "refund_rate" {
		t.Errorf("refund_rate = %+v", v)
	}
	if v := r.Compute("conversion", &c, Options{}); !near(v.Value, 10) {
		t.Errorf("conversion beside it = %+v", v)
	}
	if Known("refund_rate") {
		t.Error("a KPI registered elsewhere leaked into the built-in registry")
	}
}

// Every built-in KPI is complete: titles in both languages, a unit, and feeds that fill what it needs.
func TestBuiltinsAreComplete(t *testing.T) {
	sample := Components{Promoters: 50, Passives: 30, Detractors: 20, CSATTop2: 45, CSATN: 60, CESSum: 26, CESSumSq: 144, CESN: 5,
		SmileSum12: 22, SmileSumSq144: 196, SmileN: 3, Likes: 30, Dislikes: 10, Visitors: 120, Receipts: 20, Refunds: 2,
		RevenueCents: 3_600_050, Items: 45, Consultations: 66,
		Case: &CaseComponents{Opened: 9, Open: 3, Overdue: 1, FirstActed: 7, FirstActionSeconds: 20000, Resolved: 6, ResolveSeconds: 90000, ResolvedInSLA: 5}}
	for _, name := range Names {
		d, _ := Builtin.Lookup(name)
		v := d.Formula(&sample, Options{})
		if d.Title == "" || d.TitleRU == "" || d.Unit == "" || len(d.Feeds) == 0 && !d.Cases {
			t.Errorf("%s: title %q/%q unit %q feeds %d", name, d.Title, d.TitleRU, d.Unit, len(d.Feeds))
		}
		if v.HasInterval != (d.Interval != "") {
			t.Errorf("%s: interval %q documented, formula gives one: %v", name, d.Interval, v.HasInterval)
		}
	}
	if got := strings.Join(Names, ","); got != "nps,csat,ces,smile_index,like_index,visitors,receipts,revenue,conversion,consultations,coverage,avg_receipt,items_per_receipt,"+
		"cases_opened,cases_open,cases_overdue,case_first_action_hours,case_resolution_hours,cases_resolved_in_sla" {
		t.Errorf("Names = %s", got)
	}
}
