package kpi

import (
	"math"

	"github.com/cxm-project/cxm/internal/event"
)

// The feeds of the built-in KPIs: how a counted event adds to the components.
var (
	// feedSurvey counts every survey submission and its NPS answer (a submission without one is a
	// non-responder of the NPS policy).
	feedSurvey = &Feed{Name: "survey", Types: []event.Type{event.TypeSurvey}, Add: func(c *Components, e *event.Event) {
		c.Surveys++
		a := e.Answers
		if a == nil || a.NPS == nil {
			c.NPSMissing++
			return
		}
		switch v := *a.NPS; {
		case v >= 9:
			c.Promoters++
		case v >= 7:
			c.Passives++
		default:
			c.Detractors++
		}
	}}
	feedCSAT = &Feed{Name: "csat", Types: []event.Type{event.TypeSurvey}, Add: func(c *Components, e *event.Event) {
		if a := e.Answers; a != nil && a.CSAT != nil {
			c.CSATN++
			if *a.CSAT >= 4 {
				c.CSATTop2++
			}
		}
	}}
	feedCES = &Feed{Name: "ces", Types: []event.Type{event.TypeSurvey}, Add: func(c *Components, e *event.Event) {
		if a := e.Answers; a != nil && a.CES != nil {
			v := int64(*a.CES)
			c.CESSum += v
			c.CESSumSq += v * v
			c.CESN++
		}
	}}
	feedSmiley = &Feed{Name: "smiley", Types: []event.Type{event.TypeButton}, Add: func(c *Components, e *event.Event) {
		if e.Kind != event.KindSmiley || e.Scale < 2 || e.Value < 1 || e.Value > e.Scale {
			return // the validator rejects bad presses; a zero denominator must not crash the processor
		}
		// 12 * (value-1)/(scale-1) is an integer for scales 3, 4 and 5 (12 is their denominators' LCM).
		s12 := int64(12 * (e.Value - 1) / (e.Scale - 1))
		c.SmileSum12 += s12
		c.SmileSumSq144 += s12 * s12
		c.SmileN++
		if e.Value <= len(c.SmileFaces) {
			c.SmileFaces[e.Value-1]++
		}
	}}
	feedLike = &Feed{Name: "like", Types: []event.Type{event.TypeButton}, Add: func(c *Components, e *event.Event) {
		switch e.Kind {
		case event.KindLike:
			c.Likes++
		case event.KindDislike:
			c.Dislikes++
		}
	}}
	feedConsultation = &Feed{Name: "consultation", Types: []event.Type{event.TypeButton}, Add: func(c *Components, e *event.Event) {
		if e.Kind == event.KindConsultation {
			c.Consultations++
		}
	}}
	feedCounter = &Feed{Name: "counter", Types: []event.Type{event.TypeCounter}, Add: func(c *Components, e *event.Event) {
		c.Visitors += e.In
		c.Exits += e.Out
	}}
	// feedPOS counts receipts and refunds apart; revenue and items are net of refunds.
	feedPOS = &Feed{Name: "pos", Types: []event.Type{event.TypePOS}, Add: func(c *Components, e *event.Event) {
		if e.Refund {
			c.Refunds++
			c.RevenueCents -= int64(e.Amount)
			c.Items -= int64(e.Items)
		} else {
			c.Receipts++
			c.RevenueCents += int64(e.Amount)
			c.Items += int64(e.Items)
		}
	}}
)

// builtins are CXM's own KPIs, in the order the API, plugin and dashboards list them. Sources of the
// formulas and intervals are in the package README.
var builtins = []Def{
	{
		Meta:  Meta{Name: "nps", Title: "NPS", TitleRU: "NPS (индекс потребительской лояльности)", Unit: "none", Decimals: 0, Min: -100, Max: 100, HasRange: true, HigherIsBetter: true},
		Needs: []string{"promoters", "passives", "detractors", "nps_missing"}, Feeds: []*Feed{feedSurvey},
		Interval: "adjusted Wald (Rocks 2016)",
		Formula: func(c *Components, opt Options) (v Value) {
			p, d, n := c.Promoters, c.Detractors, c.Promoters+c.Passives+c.Detractors
			switch opt.NPSPolicy {
			case NonRespondersAsDetractors:
				d += c.NPSMissing
				n += c.NPSMissing
			case NonRespondersAsPassives:
				n += c.NPSMissing
			}
			v.N = n
			if n > 0 {
				v.set(100 * float64(p-d) / float64(n))
				v.interval(npsAdjustedWald(p, d, n))
				// The adjusted interval is centred on the adjusted estimate; for tiny samples (one promoter)
				// it can miss the observed score, which readers take for a bug, so it is widened to hold it.
				v.Low, v.High = math.Min(v.Low, v.Value), math.Max(v.High, v.Value)
			}
			return v
		},
	},
	{
		Meta:  Meta{Name: "csat", Title: "CSAT", TitleRU: "CSAT (удовлетворённость)", Unit: "percent", Decimals: 1, Min: 0, Max: 100, HasRange: true, HigherIsBetter: true},
		Needs: []string{"csat_top2", "csat_n"}, Feeds: []*Feed{feedCSAT}, Interval: "Wilson score",
		Formula: func(c *Components, _ Options) (v Value) { v.proportion(c.CSATTop2, c.CSATN); return v },
	},
	{
		Meta:  Meta{Name: "ces", Title: "CES", TitleRU: "CES (усилия клиента)", Unit: "none", Decimals: 2, Min: 1, Max: 7, HasRange: true, HigherIsBetter: true},
		Needs: []string{"ces_sum", "ces_sumsq", "ces_n"}, Feeds: []*Feed{feedCES}, Interval: "normal approximation of the mean",
		Formula: func(c *Components, _ Options) (v Value) {
			v.mean(float64(c.CESSum), float64(c.CESSumSq), c.CESN, 1, 1, 7)
			return v
		},
	},
	{
		Meta:  Meta{Name: "smile_index", Title: "Smile-Index", TitleRU: "Смайл-индекс", Unit: "none", Decimals: 1, Min: 0, Max: 100, HasRange: true, HigherIsBetter: true},
		Needs: []string{"smile_sum12", "smile_sumsq144", "smile_n"}, Feeds: []*Feed{feedSmiley}, Interval: "normal approximation of the mean",
		Formula: func(c *Components, _ Options) (v Value) {
			// sum12 and sumsq144 hold 12x the score and 144x its square; scale back before the mean.
			v.mean(float64(c.SmileSum12)/12, float64(c.SmileSumSq144)/144, c.SmileN, 100, 0, 100)
			return v
		},
	},
	{
		Meta:  Meta{Name: "like_index", Title: "Like-Index", TitleRU: "Лайк-индекс", Unit: "none", Decimals: 0, Min: -100, Max: 100, HasRange: true, HigherIsBetter: true},
		Needs: []string{"likes", "dislikes"}, Feeds: []*Feed{feedLike}, Interval: "Wilson score of the share of likes",
		Formula: func(c *Components, _ Options) (v Value) {
			n := c.Likes + c.Dislikes
			v.N = n
			if n > 0 {
				// Like-Index = 100 (2p - 1) with p the share of likes: the Wilson interval of p maps exactly.
				v.set(100 * float64(c.Likes-c.Dislikes) / float64(n))
				lo, hi := wilson(c.Likes, n)
				v.interval(2*lo-1, 2*hi-1)
			}
			return v
		},
	},
	{
		Meta:  Meta{Name: "visitors", Title: "Visitors", TitleRU: "Посетители", Unit: "short", HigherIsBetter: true, Count: true},
		Needs: []string{"visitors"}, Feeds: []*Feed{feedCounter},
		Formula: func(c *Components, _ Options) (v Value) { v.count(c.Visitors, c.Visitors); return v },
	},
	{
		Meta:  Meta{Name: "receipts", Title: "Receipts", TitleRU: "Чеки", Unit: "short", HigherIsBetter: true, Count: true},
		Needs: []string{"receipts", "refunds"}, Feeds: []*Feed{feedPOS},
		Formula: func(c *Components, _ Options) (v Value) {
			v.count(c.Receipts-c.Refunds, c.Receipts+c.Refunds)
			return v
		},
	},
	{
		Meta:  Meta{Name: "revenue", Title: "Revenue", TitleRU: "Выручка", Unit: "short", Decimals: 2, HigherIsBetter: true, Count: true},
		Needs: []string{"revenue_cents", "receipts", "refunds"}, Feeds: []*Feed{feedPOS},
		Formula: func(c *Components, _ Options) (v Value) {
			v.N = c.Receipts + c.Refunds
			if v.N > 0 {
				v.set(float64(c.RevenueCents) / 100)
			}
			return v
		},
	},
	{
		Meta:  Meta{Name: "conversion", Title: "Conversion", TitleRU: "Конверсия", Unit: "percent", Decimals: 1, HigherIsBetter: true},
		Needs: []string{"receipts", "refunds", "visitors"}, Feeds: []*Feed{feedPOS, feedCounter}, Interval: "Wilson score (while at most 100 %)",
		Formula: func(c *Components, _ Options) (v Value) { v.rate(c.Receipts-c.Refunds, c.Visitors); return v },
	},
	{
		Meta:  Meta{Name: "consultations", Title: "Consultations", TitleRU: "Консультации", Unit: "short", HigherIsBetter: true, Count: true},
		Needs: []string{"consultations"}, Feeds: []*Feed{feedConsultation},
		Formula: func(c *Components, _ Options) (v Value) { v.count(c.Consultations, c.Consultations); return v },
	},
	{
		Meta:  Meta{Name: "coverage", Title: "Coverage", TitleRU: "Охват консультациями", Unit: "percent", Decimals: 1, HigherIsBetter: true},
		Needs: []string{"consultations", "visitors"}, Feeds: []*Feed{feedConsultation, feedCounter}, Interval: "Wilson score (while at most 100 %)",
		Formula: func(c *Components, _ Options) (v Value) { v.rate(c.Consultations, c.Visitors); return v },
	},
	{
		Meta:  Meta{Name: "avg_receipt", Title: "Average receipt", TitleRU: "Средний чек", Unit: "short", Decimals: 2, HigherIsBetter: true},
		Needs: []string{"revenue_cents", "receipts", "refunds"}, Feeds: []*Feed{feedPOS},
		Formula: func(c *Components, _ Options) (v Value) {
			net := c.Receipts - c.Refunds
			v.N = max(net, 0)
			if net > 0 {
				v.set(float64(c.RevenueCents) / 100 / float64(net))
			}
			return v
		},
	},
	{
		Meta:  Meta{Name: "items_per_receipt", Title: "Items per receipt", TitleRU: "Товаров в чеке", Unit: "short", Decimals: 2, HigherIsBetter: true},
		Needs: []string{"items", "receipts", "refunds"}, Feeds: []*Feed{feedPOS},
		Formula: func(c *Components, _ Options) (v Value) {
			net := c.Receipts - c.Refunds
			v.N = max(net, 0)
			if net > 0 {
				v.set(float64(c.Items) / float64(net))
			}
			return v
		},
	},
}
