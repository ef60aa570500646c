package kpi

// Names are the KPIs, in the order the API, plugin and dashboards list them.
var Names = []string{
	"nps", "csat", "ces", "smile_index", "like_index",
	"visitors", "receipts", "revenue", "conversion", "consultations", "coverage",
	"avg_receipt", "items_per_receipt",
}

// Meta describes a KPI for display: the plugin's field config and the API's documentation read it.
type Meta struct {
	Name     string
	Title    string
	Unit     string // Grafana unit id: "none", "percent", "short", "currencyRUB"…
	Decimals int
	// Min and Max are the fixed range where the KPI has one (NPS -100..100); HasRange says they are set.
	Min, Max float64
	HasRange bool
	// HigherIsBetter is the default direction of the KPI's thresholds.
	HigherIsBetter bool
	// Count KPIs (visitors, receipts…) add up over time; the others are ratios or means.
	Count bool
}

var metas = map[string]Meta{
	"nps":               {Name: "nps", Title: "NPS", Unit: "none", Decimals: 0, Min: -100, Max: 100, HasRange: true, HigherIsBetter: true},
	"csat":              {Name: "csat", Title: "CSAT", Unit: "percent", Decimals: 1, Min: 0, Max: 100, HasRange: true, HigherIsBetter: true},
	"ces":               {Name: "ces", Title: "CES", Unit: "none", Decimals: 2, Min: 1, Max: 7, HasRange: true, HigherIsBetter: true},
	"smile_index":       {Name: "smile_index", Title: "Smile-Index", Unit: "none", Decimals: 1, Min: 0, Max: 100, HasRange: true, HigherIsBetter: true},
	"like_index":        {Name: "like_index", Title: "Like-Index", Unit: "none", Decimals: 0, Min: -100, Max: 100, HasRange: true, HigherIsBetter: true},
	"visitors":          {Name: "visitors", Title: "Visitors", Unit: "short", HigherIsBetter: true, Count: true},
	"receipts":          {Name: "receipts", Title: "Receipts", Unit: "short", HigherIsBetter: true, Count: true},
	"revenue":           {Name: "revenue", Title: "Revenue", Unit: "short", Decimals: 2, HigherIsBetter: true, Count: true},
	"conversion":        {Name: "conversion", Title: "Conversion", Unit: "percent", Decimals: 1, HigherIsBetter: true},
	"consultations":     {Name: "consultations", Title: "Consultations", Unit: "short", HigherIsBetter: true, Count: true},
	"coverage":          {Name: "coverage", Title: "Coverage", Unit: "percent", Decimals: 1, HigherIsBetter: true},
	"avg_receipt":       {Name: "avg_receipt", Title: "Average receipt", Unit: "short", Decimals: 2, HigherIsBetter: true},
	"items_per_receipt": {Name: "items_per_receipt", Title: "Items per receipt", Unit: "short", Decimals: 2, HigherIsBetter: true},
}

// MetaOf returns the KPI's description; ok is false for an unknown name.
func MetaOf(name string) (m Meta, ok bool) {
	m, ok = metas[name]
	return m, ok
}

// Known reports whether name is a KPI.
func Known(name string) bool {
	_, ok := metas[name]
	return ok
}
