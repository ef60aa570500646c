package query

import (
	"fmt"

	"github.com/cxm-project/cxm/internal/kpi"
)

// column is one additive component column of kpi_minute / kpi_hour and where its sum goes in
// kpi.Components.
type column struct {
	name string
	ptr  func(c *kpi.Components) *int64
}

// columns lists every component column in the order of the tables. Only the columns the requested KPIs
// need are read: ClickHouse is columnar, so reading 5 columns instead of 30 is most of the speed of a
// long-range query.
var columns = []column{
	{"promoters", func(c *kpi.Components) *int64 { return &c.Promoters }},
	{"passives", func(c *kpi.Components) *int64 { return &c.Passives }},
	{"detractors", func(c *kpi.Components) *int64 { return &c.Detractors }},
	{"nps_missing", func(c *kpi.Components) *int64 { return &c.NPSMissing }},
	{"csat_top2", func(c *kpi.Components) *int64 { return &c.CSATTop2 }},
	{"csat_n", func(c *kpi.Components) *int64 { return &c.CSATN }},
	{"ces_sum", func(c *kpi.Components) *int64 { return &c.CESSum }},
	{"ces_sumsq", func(c *kpi.Components) *int64 { return &c.CESSumSq }},
	{"ces_n", func(c *kpi.Components) *int64 { return &c.CESN }},
	{"smile_sum12", func(c *kpi.Components) *int64 { return &c.SmileSum12 }},
	{"smile_sumsq144", func(c *kpi.Components) *int64 { return &c.SmileSumSq144 }},
	{"smile_n", func(c *kpi.Components) *int64 { return &c.SmileN }},
	{"smile_face1", func(c *kpi.Components) *int64 { return &c.SmileFaces[0] }},
	{"smile_face2", func(c *kpi.Components) *int64 { return &c.SmileFaces[1] }},
	{"smile_face3", func(c *kpi.Components) *int64 { return &c.SmileFaces[2] }},
	{"smile_face4", func(c *kpi.Components) *int64 { return &c.SmileFaces[3] }},
	{"smile_face5", func(c *kpi.Components) *int64 { return &c.SmileFaces[4] }},
	{"likes", func(c *kpi.Components) *int64 { return &c.Likes }},
	{"dislikes", func(c *kpi.Components) *int64 { return &c.Dislikes }},
	{"visitors", func(c *kpi.Components) *int64 { return &c.Visitors }},
	{"exits", func(c *kpi.Components) *int64 { return &c.Exits }},
	{"receipts", func(c *kpi.Components) *int64 { return &c.Receipts }},
	{"refunds", func(c *kpi.Components) *int64 { return &c.Refunds }},
	{"revenue_cents", func(c *kpi.Components) *int64 { return &c.RevenueCents }},
	{"items", func(c *kpi.Components) *int64 { return &c.Items }},
	{"consultations", func(c *kpi.Components) *int64 { return &c.Consultations }},
	{"surveys", func(c *kpi.Components) *int64 { return &c.Surveys }},
}

var columnIndex = func() map[string]int {
	m := make(map[string]int, len(columns))
	for i, c := range columns {
		m[c.name] = i
	}
	return m
}()

// KPINames are the KPIs the engine answers, in the order the API documents them.
var KPINames = kpi.Names

// needs maps a KPI to the component columns its formula reads. TestNeedsCoverFormulas checks it against
// kpi.Compute (a KPI computed from only these columns equals the KPI from all of them), so a formula that
// starts reading another component fails a test instead of silently reading zero.
var needs = map[string][]string{
	"nps":               {"promoters", "passives", "detractors", "nps_missing"},
	"csat":              {"csat_top2", "csat_n"},
	"ces":               {"ces_sum", "ces_sumsq", "ces_n"},
	"smile_index":       {"smile_sum12", "smile_sumsq144", "smile_n"},
	"like_index":        {"likes", "dislikes"},
	"visitors":          {"visitors"},
	"receipts":          {"receipts", "refunds"},
	"revenue":           {"revenue_cents", "receipts", "refunds"},
	"conversion":        {"receipts", "refunds", "visitors"},
	"consultations":     {"consultations"},
	"coverage":          {"consultations", "visitors"},
	"avg_receipt":       {"revenue_cents", "receipts", "refunds"},
	"items_per_receipt": {"items", "receipts", "refunds"},
}

// columnsFor returns the indexes (into columns) the KPIs need, in table order, without duplicates.
func columnsFor(kpis []string) ([]int, error) {
	want := make([]bool, len(columns))
	for _, k := range kpis {
		cols, ok := needs[k]
		if !ok {
			return nil, fmt.Errorf("unknown KPI %q", k)
		}
		for _, c := range cols {
			want[columnIndex[c]] = true
		}
	}
	var idx []int
	for i, w := range want {
		if w {
			idx = append(idx, i)
		}
	}
	return idx, nil
}
