package kpi

// Column is one additive component column of the minute table and its rollups (kpi_minute, kpi_hour,
// kpi_day) with its field in Components. The processor writes and the query engine reads through this one
// list, so a new component is added in one place.
type Column struct {
	Name  string
	Field func(c *Components) *int64
}

// Columns are the component columns in table order (schemas/clickhouse/002_kpi_minute.sql).
var Columns = []Column{
	{"promoters", func(c *Components) *int64 { return &c.Promoters }},
	{"passives", func(c *Components) *int64 { return &c.Passives }},
	{"detractors", func(c *Components) *int64 { return &c.Detractors }},
	{"nps_missing", func(c *Components) *int64 { return &c.NPSMissing }},
	{"csat_top2", func(c *Components) *int64 { return &c.CSATTop2 }},
	{"csat_n", func(c *Components) *int64 { return &c.CSATN }},
	{"ces_sum", func(c *Components) *int64 { return &c.CESSum }},
	{"ces_sumsq", func(c *Components) *int64 { return &c.CESSumSq }},
	{"ces_n", func(c *Components) *int64 { return &c.CESN }},
	{"smile_sum12", func(c *Components) *int64 { return &c.SmileSum12 }},
	{"smile_sumsq144", func(c *Components) *int64 { return &c.SmileSumSq144 }},
	{"smile_n", func(c *Components) *int64 { return &c.SmileN }},
	{"smile_face1", func(c *Components) *int64 { return &c.SmileFaces[0] }},
	{"smile_face2", func(c *Components) *int64 { return &c.SmileFaces[1] }},
	{"smile_face3", func(c *Components) *int64 { return &c.SmileFaces[2] }},
	{"smile_face4", func(c *Components) *int64 { return &c.SmileFaces[3] }},
	{"smile_face5", func(c *Components) *int64 { return &c.SmileFaces[4] }},
	{"likes", func(c *Components) *int64 { return &c.Likes }},
	{"dislikes", func(c *Components) *int64 { return &c.Dislikes }},
	{"visitors", func(c *Components) *int64 { return &c.Visitors }},
	{"exits", func(c *Components) *int64 { return &c.Exits }},
	{"receipts", func(c *Components) *int64 { return &c.Receipts }},
	{"refunds", func(c *Components) *int64 { return &c.Refunds }},
	{"revenue_cents", func(c *Components) *int64 { return &c.RevenueCents }},
	{"items", func(c *Components) *int64 { return &c.Items }},
	{"consultations", func(c *Components) *int64 { return &c.Consultations }},
	{"surveys", func(c *Components) *int64 { return &c.Surveys }},
}
