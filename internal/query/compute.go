package query

import (
	"github.com/cxm-project/cxm/internal/kpi"
)

// figure is the KPI's value, sample size and 95 % interval from summed components, in the engine's pointer
// form: value, low and high are nil when the figure is undefined or has no interval.
func figure(name string, c *kpi.Components, opt kpi.Options) (value *float64, n int64, low, high *float64) {
	v := kpi.Compute(name, c, opt)
	if !v.Valid {
		return nil, v.N, nil, nil
	}
	value = &v.Value
	if v.HasInterval {
		low, high = &v.Low, &v.High
	}
	return value, v.N, low, high
}
