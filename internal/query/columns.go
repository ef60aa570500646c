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

// needs are the component columns the KPI's formula reads (kpi.Def.Needs). TestNeedsCoverFormulas checks
// them against the formula (a KPI computed from only these columns equals the KPI from all of them), so a
// formula that starts reading another component fails a test instead of silently reading zero.
func needs(name string) ([]string, bool) {
	d, ok := kpi.Builtin.Lookup(name)
	if !ok {
		return nil, false
	}
	return d.Needs, true
}

// columnsFor returns the indexes (into columns) the KPIs need, in table order, without duplicates.
func columnsFor(kpis []string) ([]int, error) {
	want := make([]bool, len(columns))
	for _, k := range kpis {
		cols, ok := needs(k)
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
