package query

import (
	"fmt"
	"testing"

	"github.com/cxm-project/cxm/internal/kpi"
)

func TestFlags(t *testing.T) {
	sts := []Status{
		{Location: "a", KPI: "nps", Window: "1h", Status: kpi.Red},
		{Location: "a", KPI: "nps", Window: "1d", Status: kpi.Red},
		{Location: "a", KPI: "csat", Window: "1h", Status: kpi.Green},
		{Location: "b", KPI: "visitors", Window: "1h", Status: kpi.None},
		{Location: "x", KPI: "nps", Window: "1h", Status: kpi.Red}, // not asked for
	}
	got := Flags([]string{"a", "b", "c"}, sts)
	if s := fmt.Sprint(got); s != "map[a:{red [nps]} b:{grey []} c:{grey []}]" {
		t.Errorf("Flags = %s", s)
	}
}
