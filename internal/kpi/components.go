// Package kpi holds the mergeable components of every CXM indicator and the exact formulas that turn
// summed components into KPI values with sample sizes and 95 % intervals.
package kpi

// Components are the additive counters of one bucket (a location's minute, or any sum of them). Every field
// is an integer so that sums over any range and any set of locations are exact; a KPI over a range is always
// computed from summed components, never by averaging ratios.
type Components struct {
	// NPS answers: promoters 9-10, passives 7-8, detractors 0-6; NPSMissing counts survey submissions
	// without an NPS answer (the non-responders of the NPS policy).
	Promoters, Passives, Detractors, NPSMissing int64
	// CSAT: answers 4-5 of 1..5, and all answers.
	CSATTop2, CSATN int64
	// CES 2.0 answers 1..7: sum, sum of squares, count.
	CESSum, CESSumSq, CESN int64
	// Smiley presses (repeats excluded). Each press scores (value-1)/(scale-1) in 0..1; with scales 3..5
	// the denominators are 2, 3, 4, so 12 times the score and 144 times its square are integers.
	SmileSum12, SmileSumSq144, SmileN int64
	SmileFaces                        [5]int64 // presses per face value 1..5
	// Like / dislike presses (repeats excluded).
	Likes, Dislikes int64
	// People counters.
	Visitors, Exits int64
	// POS: sales receipts and refunds counted apart; revenue and items are net of refunds.
	Receipts, Refunds, RevenueCents, Items int64
	// Seller consultation button presses.
	Consultations int64
	// Survey submissions of any kind.
	Surveys int64
}

// Merge adds o into c.
func (c *Components) Merge(o *Components) {
	c.Promoters += o.Promoters
	c.Passives += o.Passives
	c.Detractors += o.Detractors
	c.NPSMissing += o.NPSMissing
	c.CSATTop2 += o.CSATTop2
	c.CSATN += o.CSATN
	c.CESSum += o.CESSum
	c.CESSumSq += o.CESSumSq
	c.CESN += o.CESN
	c.SmileSum12 += o.SmileSum12
	c.SmileSumSq144 += o.SmileSumSq144
	c.SmileN += o.SmileN
	for i := range c.SmileFaces {
		c.SmileFaces[i] += o.SmileFaces[i]
	}
	c.Likes += o.Likes
	c.Dislikes += o.Dislikes
	c.Visitors += o.Visitors
	c.Exits += o.Exits
	c.Receipts += o.Receipts
	c.Refunds += o.Refunds
	c.RevenueCents += o.RevenueCents
	c.Items += o.Items
	c.Consultations += o.Consultations
	c.Surveys += o.Surveys
}

// IsZero reports whether nothing was counted.
func (c *Components) IsZero() bool { return *c == Components{} }
