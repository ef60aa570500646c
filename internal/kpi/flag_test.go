package kpi

import (
	"fmt"
	"testing"
)

func TestFlag(t *testing.T) {
	j := func(k string, s Status) Judged { return Judged{k, s} }
	tests := []struct {
		name string
		in   []Judged
		want string
	}{
		{"nothing", nil, "grey []"},
		{"only not judged", []Judged{j("visitors", None)}, "grey []"},
		{"only grey", []Judged{j("nps", Grey), j("csat", Grey)}, "grey []"},
		{"green beats grey", []Judged{j("nps", Grey), j("csat", Green)}, "green [csat]"},
		{"red beats all, each KPI once", []Judged{j("nps", Yellow), j("csat", Red), j("visitors", None), j("csat", Red), j("ces", Red)}, "red [csat ces]"},
		{"yellow", []Judged{j("nps", Yellow), j("csat", Green), j("ces", Yellow)}, "yellow [nps ces]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ks := Flag(tt.in)
			if got := fmt.Sprint(s, " ", ks); got != tt.want {
				t.Errorf("Flag = %s, want %s", got, tt.want)
			}
		})
	}
}
