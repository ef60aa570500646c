package plugin

import "github.com/grafana/grafana-plugin-sdk-go/data"

// Display is how Grafana shows a KPI: the title, Grafana's unit id, decimals and the fixed bounds of
// the scale, if it has any. The formulas and thresholds live in internal/kpi and the cxm config; this is
// only presentation.
type Display struct {
	Title    string
	Unit     string
	Decimals uint16
	Min, Max *float64
}

func bound(v float64) *float64 { return &v }

// displays covers every KPI of query.KPINames (TestDisplayCoversEngine keeps them in step).
var displays = map[string]Display{
	"nps":               {Title: "NPS", Unit: "none", Decimals: 1, Min: bound(-100), Max: bound(100)},
	"csat":              {Title: "CSAT", Unit: "percent", Decimals: 1, Min: bound(0), Max: bound(100)},
	"ces":               {Title: "CES", Unit: "none", Decimals: 2, Min: bound(1), Max: bound(7)},
	"smile_index":       {Title: "Smile-Index", Unit: "percent", Decimals: 1, Min: bound(0), Max: bound(100)},
	"like_index":        {Title: "Like-Index", Unit: "percent", Decimals: 1, Min: bound(0), Max: bound(100)},
	"visitors":          {Title: "Visitors", Unit: "short", Decimals: 0, Min: bound(0)},
	"receipts":          {Title: "Receipts", Unit: "short", Decimals: 0, Min: bound(0)},
	"revenue":           {Title: "Revenue", Unit: "none", Decimals: 2},
	"conversion":        {Title: "Conversion", Unit: "percent", Decimals: 1, Min: bound(0)},
	"consultations":     {Title: "Consultations", Unit: "short", Decimals: 0, Min: bound(0)},
	"coverage":          {Title: "Coverage", Unit: "percent", Decimals: 1, Min: bound(0)},
	"avg_receipt":       {Title: "Average receipt", Unit: "none", Decimals: 2},
	"items_per_receipt": {Title: "Items per receipt", Unit: "none", Decimals: 2, Min: bound(0)},
}

// displayOf returns the KPI's display, or one titled with its name for a KPI added to the engine later.
func displayOf(name string) Display {
	if d, ok := displays[name]; ok {
		return d
	}
	return Display{Title: name, Unit: "none", Decimals: 2}
}

// fieldConfig is the KPI's field config without thresholds.
func (d Display) fieldConfig(displayName string) *data.FieldConfig {
	fc := &data.FieldConfig{DisplayName: displayName, Unit: d.Unit, Decimals: ptrU16(d.Decimals), Links: locationLinks()}
	if d.Min != nil {
		fc.Min = ptr(*d.Min)
	}
	if d.Max != nil {
		fc.Max = ptr(*d.Max)
	}
	return fc
}
