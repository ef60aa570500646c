package kpi

// Wilson is the 95 % Wilson score interval of k/n on 0..1 (n > 0): the breakdowns (reason shares, hand-off
// rates) use the same interval as the KPIs.
func Wilson(k, n int64) (lo, hi float64) { return wilson(k, n) }
