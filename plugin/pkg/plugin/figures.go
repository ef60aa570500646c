package plugin

import "github.com/cxm-project/cxm/internal/query"

// pointValue is the one place that reads an engine point's figure: the value (nil when the sample is
// empty or the figure undefined) and its sample size.
func pointValue(p query.Point) (*float64, int64) { return p.Value, p.N }
