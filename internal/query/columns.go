package query

import (
	"fmt"

	"github.com/cxm-project/cxm/internal/kpi"
)

// columns are the component columns (kpi.Columns). Only the columns the requested KPIs need are read:
// ClickHouse is columnar, so reading 5 columns instead of 30 is most of the speed of a long-range query.
var columns = kpi.Columns

var columnIndex = func() map[string]int {
	m := make(map[string]int, len(columns))
	for i, c := range columns {
		m[c.Name] = i
	}
	return m
}()

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
