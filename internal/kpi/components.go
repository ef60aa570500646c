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
	// Survey holds the components of configured questionnaires (survey.go), filled only for the KPIs that
	// read them; nil otherwise.
	Survey *SurveySums
	// Audit holds the audit components (audit.go) of the templates the ИВС KPIs read; nil otherwise.
	Audit *AuditSums
	// Case holds the components of the cases opened in the bucket (cases.go), filled only for the case
	// KPIs; nil otherwise.
	Case *CaseComponents
}
