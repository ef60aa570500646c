package query

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"slices"
	"time"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kpi"
)

// Facets of like_minute (schemas/clickhouse/014_why_minute.sql; written by processor/buckets/why.go).
const (
	facetLike           = ""
	facetReasonPositive = "reason+"
	facetReasonNegative = "reason-"
	facetSeller         = "seller"
	facetReview         = "review"
)

type whyConfig struct {
	reasons   config.Reasons
	breakdown config.Breakdown
}

// WithWhy sets the reason lists, the rise test and the breakdown limits; it returns e.
func (e *Engine) WithWhy(r config.Reasons, b config.Breakdown) *Engine {
	e.why = whyConfig{reasons: r, breakdown: b}
	return e
}

// WhyRequest selects locations and a range for the reasons, breakdowns and hand-off figures.
type WhyRequest struct {
	Locations, Regions []string
	From, To           time.Time // whole minutes
	Scope              func(string) bool
	// Breakdown only: Group is "subject" or "seller"; Keys keep only these subjects / sellers.
	Group string
	Keys  []string
}

func (e *Engine) whySelection(r *WhyRequest) ([]string, error) {
	if err := e.checkRange(r.From, r.To); err != nil {
		return nil, err
	}
	if err := wholeMinute("from", r.From); err != nil {
		return nil, err
	}
	if err := wholeMinute("to", r.To); err != nil {
		return nil, err
	}
	return e.locationIDs(r.Locations, r.Regions, r.Scope)
}

// facetRow is one location's and key's summed counts of one facet.
type facetRow struct {
	location, key                              string
	likes, dislikes, n                         int64
	consult, receipts, refunds, revenue, items int64
	shown, clicks                              int64
}

// facetSums sums like_minute rows of the facets over [from, to) per location and key.
func (e *Engine) facetSums(ctx context.Context, facets []string, locs []string, from, to time.Time) ([]facetRow, error) {
	rows, err := e.conn.Query(ctx, "SELECT location, facet, subject, sum(likes), sum(dislikes), sum(n), sum(consultations), sum(receipts), "+
		"sum(refunds), sum(revenue_cents), sum(items), sum(shown), sum(clicks) FROM "+clickhouse.Ident(e.db)+".like_minute "+
		"WHERE facet IN ? AND location IN ? AND minute >= ? AND minute < ? GROUP BY location, facet, subject ORDER BY location, facet, subject",
		inSet(facets), inSet(locs), from.UTC(), to.UTC())
	if err != nil {
		return nil, e.wrap(ctx, err)
	}
	defer rows.Close()
	var out []facetRow
	for rows.Next() {
		var (
			r     facetRow
			facet string
		)
		if err := rows.Scan(&r.location, &facet, &r.key, &r.likes, &r.dislikes, &r.n, &r.consult, &r.receipts, &r.refunds,
			&r.revenue, &r.items, &r.shown, &r.clicks); err != nil {
			return nil, e.wrap(ctx, err)
		}
		if facet == facetReasonNegative {
			r.key = "-" + r.key // the two lists may share a code; split again by the caller
		} else if facet == facetReasonPositive {
			r.key = "+" + r.key
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, e.wrap(ctx, err)
	}
	return out, nil
}

// ReasonShare is one reason's share of the follow-up answers of its list (positive or negative) at one
// location over the range, with its 95 % Wilson interval, its place in the Pareto, and the rise test
// against the baseline window before the range.
type ReasonShare struct {
	Location string
	Polarity string // positive | negative
	Reason   string
	TitleRU  string
	TitleEN  string
	Count    int64 // answers giving this reason
	Total    int64 // answers of the list giving any reason
	Share    float64
	Low      float64
	High     float64
	// Cumulative is the Pareto's running share: this reason and every more frequent one of its list.
	Cumulative float64
	// Baseline: the same counts over reasons.alert.baseline before From.
	BaselineCount, BaselineTotal int64
	BaselineShare                *float64
	// Z and P are the one-sided two-proportion z-test of "the share rose" (nil when either sample is below
	// reasons.alert.min_n); Rising is P < reasons.alert.alpha.
	Z, P   *float64
	Rising bool
}

// Reasons answers each reason's share per location, in Pareto order (most frequent first) within each
// location and list, negative list first.
func (e *Engine) Reasons(ctx context.Context, r WhyRequest) ([]ReasonShare, error) {
	locs, err := e.whySelection(&r)
	if err != nil {
		return nil, err
	}
	ctx, cancel := e.withLimits(ctx)
	defer cancel()
	facets := []string{facetReasonPositive, facetReasonNegative}
	cur, err := e.facetSums(ctx, facets, locs, r.From, r.To)
	if err != nil {
		return nil, err
	}
	base, err := e.facetSums(ctx, facets, locs, r.From.Add(-e.why.reasons.Alert.Baseline), r.From)
	if err != nil {
		return nil, err
	}
	type key struct{ loc, reason string }
	baseN := map[key]int64{}
	baseTotal := map[key]int64{} // reason = the polarity sign
	for _, b := range base {
		baseN[key{b.location, b.key}] += b.n
		baseTotal[key{b.location, b.key[:1]}] += b.n
	}
	total := map[key]int64{}
	for _, c := range cur {
		total[key{c.location, c.key[:1]}] += c.n
	}
	var out []ReasonShare
	for _, c := range cur {
		if c.n == 0 {
			continue
		}
		sign, code := c.key[:1], c.key[1:]
		s := ReasonShare{Location: c.location, Polarity: "positive", Reason: code, Count: c.n, Total: total[key{c.location, sign}]}
		if sign == "-" {
			s.Polarity = "negative"
		}
		if def := e.why.reasons.Lookup(code, sign == "+"); def != nil {
			s.TitleRU, s.TitleEN = def.TitleRU, def.TitleEN
		}
		s.Share = float64(s.Count) / float64(s.Total)
		s.Low, s.High = kpi.Wilson(s.Count, s.Total)
		s.BaselineCount, s.BaselineTotal = baseN[key{c.location, c.key}], baseTotal[key{c.location, sign}]
		if s.BaselineTotal > 0 {
			bs := float64(s.BaselineCount) / float64(s.BaselineTotal)
			s.BaselineShare = &bs
		}
		a := e.why.reasons.Alert
		if minN := max(a.MinN, 1); s.Total >= minN && s.BaselineTotal >= minN {
			z, p := riseTest(s.Count, s.Total, s.BaselineCount, s.BaselineTotal)
			s.Z, s.P = &z, &p
			s.Rising = p < a.Alpha
		}
		out = append(out, s)
	}
	slices.SortStableFunc(out, func(a, b ReasonShare) int {
		return cmp.Or(cmp.Compare(a.Location, b.Location), cmp.Compare(a.Polarity, b.Polarity), // negative before positive
			cmp.Compare(b.Count, a.Count), cmp.Compare(a.Reason, b.Reason))
	})
	cum := map[key]int64{}
	for i := range out {
		k := key{out[i].Location, out[i].Polarity}
		cum[k] += out[i].Count
		out[i].Cumulative = float64(cum[k]) / float64(out[i].Total)
	}
	return out, nil
}

// riseTest is the one-sided two-proportion z-test of H1 "the share k1/n1 is above k0/n0" with the pooled
// proportion under H0: z = (p1 − p0) / √(p̂(1 − p̂)(1/n1 + 1/n0)), P = 1 − Φ(z). With both samples of at least
// min_n answers the normal approximation holds for shares that are not extreme; an alarm at P < α is
// false with probability at most about α per reason, location and evaluation when the share did not rise.
func riseTest(k1, n1, k0, n0 int64) (z, p float64) {
	p1, p0 := float64(k1)/float64(n1), float64(k0)/float64(n0)
	pool := float64(k1+k0) / float64(n1+n0)
	se := math.Sqrt(pool * (1 - pool) * (1/float64(n1) + 1/float64(n0)))
	if se == 0 {
		// Every answer of both windows gave the reason, or none did: no change to test.
		return 0, 0.5
	}
	z = (p1 - p0) / se
	return z, 0.5 * math.Erfc(z/math.Sqrt2)
}

// BreakdownRow is one subject's or employee's figures over the selection and range. Withheld rows (a
// sample below breakdown.min_sample) carry only Key and N.
type BreakdownRow struct {
	Key      string
	N        int64
	Withheld bool
	// subject
	Likes, Dislikes *int64
	LikeIndex       *float64
	Low, High       *float64
	// seller
	Consultations, Receipts, Refunds *int64
	Revenue, AvgReceipt, ItemsPer    *float64
}

// Breakdown answers the Like-Index and presses per subject (group subject), or consultations, receipts,
// revenue, average receipt and items per receipt per employee (group seller), summed over the selected
// locations.
func (e *Engine) Breakdown(ctx context.Context, r WhyRequest) ([]BreakdownRow, error) {
	var facet string
	switch r.Group {
	case "subject":
		facet = facetLike
	case "seller":
		facet = facetSeller
	default:
		return nil, inputErr("group", "must be subject or seller, not %q", r.Group)
	}
	locs, err := e.whySelection(&r)
	if err != nil {
		return nil, err
	}
	ctx, cancel := e.withLimits(ctx)
	defer cancel()
	rows, err := e.facetSums(ctx, []string{facet}, locs, r.From, r.To)
	if err != nil {
		return nil, err
	}
	sums := map[string]*kpi.Components{}
	var keys []string
	for _, x := range rows {
		// With masked names a filter may name the pseudonym (what the reader sees) or the id.
		if len(r.Keys) > 0 && !slices.Contains(r.Keys, x.key) &&
			!(facet == facetSeller && e.why.breakdown.MaskNames && slices.Contains(r.Keys, MaskName(x.key))) {
			continue
		}
		c := sums[x.key]
		if c == nil {
			c = &kpi.Components{}
			sums[x.key] = c
			keys = append(keys, x.key)
		}
		c.Likes += x.likes
		c.Dislikes += x.dislikes
		c.Consultations += x.consult
		c.Receipts += x.receipts
		c.Refunds += x.refunds
		c.RevenueCents += x.revenue
		c.Items += x.items
	}
	out := make([]BreakdownRow, 0, len(keys))
	for _, k := range keys {
		c := sums[k]
		row := BreakdownRow{Key: k}
		if facet == facetLike {
			row.N = c.Likes + c.Dislikes
		} else {
			row.N = c.Consultations + c.Receipts + c.Refunds
			if e.why.breakdown.MaskNames {
				row.Key = MaskName(k)
			}
		}
		if row.N < e.why.breakdown.MinSample {
			row.Withheld = true
			out = append(out, row)
			continue
		}
		if facet == facetLike {
			row.Likes, row.Dislikes = &c.Likes, &c.Dislikes
			v := kpi.Compute("like_index", c, e.opt)
			row.LikeIndex, row.Low, row.High = opt(v.Value, v.Valid), opt(v.Low, v.HasInterval), opt(v.High, v.HasInterval)
		} else {
			net := c.Receipts - c.Refunds
			row.Consultations, row.Receipts, row.Refunds = &c.Consultations, &net, &c.Refunds
			rev := kpi.Compute("revenue", c, e.opt)
			row.Revenue = opt(rev.Value, rev.Valid)
			ar := kpi.Compute("avg_receipt", c, e.opt)
			row.AvgReceipt = opt(ar.Value, ar.Valid)
			ip := kpi.Compute("items_per_receipt", c, e.opt)
			row.ItemsPer = opt(ip.Value, ip.Valid)
		}
		out = append(out, row)
	}
	// The most answered first: the figures a manager can trust lead.
	slices.SortStableFunc(out, func(a, b BreakdownRow) int { return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Key, b.Key)) })
	return out, nil
}

func opt(v float64, ok bool) *float64 {
	if !ok {
		return nil
	}
	return &v
}

// MaskName is the stable pseudonym of a seller id (breakdown.mask_names): "emp-" and 8 hex digits of its
// SHA-256, so a manager can follow one person over time without seeing who it is.
func MaskName(id string) string {
	h := sha256.Sum256([]byte(id))
	return "emp-" + hex.EncodeToString(h[:4])
}

// Handoff is one review platform's invitations and clicks at a location; Rate = clicks / shown, with its
// 95 % Wilson interval (nil when nothing was shown).
type Handoff struct {
	Location, Platform string
	Shown, Clicks      int64
	Rate, Low, High    *float64
}

// Handoffs answers the review hand-off per location and platform; Platform "" is the location's total.
func (e *Engine) Handoffs(ctx context.Context, r WhyRequest) ([]Handoff, error) {
	locs, err := e.whySelection(&r)
	if err != nil {
		return nil, err
	}
	ctx, cancel := e.withLimits(ctx)
	defer cancel()
	rows, err := e.facetSums(ctx, []string{facetReview}, locs, r.From, r.To)
	if err != nil {
		return nil, err
	}
	var out []Handoff
	add := func(h Handoff) {
		if h.Shown > 0 {
			rate := float64(h.Clicks) / float64(h.Shown)
			h.Rate = &rate
			if h.Clicks <= h.Shown {
				lo, hi := kpi.Wilson(h.Clicks, h.Shown)
				h.Low, h.High = &lo, &hi
			}
		}
		out = append(out, h)
	}
	var tot Handoff
	for i, x := range rows {
		if i > 0 && rows[i-1].location != x.location {
			add(tot)
		}
		if i == 0 || rows[i-1].location != x.location {
			tot = Handoff{Location: x.location}
		}
		tot.Shown += x.shown
		tot.Clicks += x.clicks
		add(Handoff{Location: x.location, Platform: x.key, Shown: x.shown, Clicks: x.clicks})
	}
	if len(rows) > 0 {
		add(tot)
	}
	return out, nil
}
