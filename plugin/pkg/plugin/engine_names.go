package plugin

import "github.com/cxm-project/cxm/internal/query"

// kpiNames are the KPIs the engine answers.
var kpiNames = query.KPINames
