package buckets

import (
	"github.com/cxm-project/cxm/internal/event"
)

// Facets of like_minute beyond the like / dislike presses (schemas/clickhouse/014_why_minute.sql).
const (
	FacetReasonPositive = "reason+"
	FacetReasonNegative = "reason-"
	FacetSeller         = "seller"
	FacetReview         = "review"
)

// Facets are the additive counts of a reason, a seller or a review platform in a location's minute.
type Facets struct {
	N                                                     int64 // answers giving the reason
	Consultations, Receipts, Refunds, RevenueCents, Items int64 // a seller's (revenue and items net of refunds)
	Shown, Clicks                                         int64 // a review platform's invitations and clicks
}

var facetNames = []string{"n", "consultations", "receipts", "refunds", "revenue_cents", "items", "shown", "clicks"}

func (f *Facets) fields() []*int64 {
	return []*int64{&f.N, &f.Consultations, &f.Receipts, &f.Refunds, &f.RevenueCents, &f.Items, &f.Shown, &f.Clicks}
}

type facetColumns [8][]int64

func newFacetColumns(n int) *facetColumns {
	var c facetColumns
	for i := range c {
		c[i] = make([]int64, 0, n)
	}
	return &c
}

func (c *facetColumns) add(f *Facets) {
	for i, p := range f.fields() {
		c[i] = append(c[i], *p)
	}
}

func (c *facetColumns) cols() []any {
	out := make([]any, len(c))
	for i := range c {
		out[i] = c[i]
	}
	return out
}

// addWhy counts e's follow-up reason, its seller (consultation button, receipt) and a review hand-off into
// their facet rows of minute m.
func (d *Deltas) addWhy(e *event.Event, m int64) {
	if e.Reason != "" {
		if pos, ok := e.Positive(); ok {
			f := FacetReasonNegative
			if pos {
				f = FacetReasonPositive
			}
			d.facet(e.Location, m, f, e.Reason).N++
		}
	}
	switch {
	case e.Type == event.TypeButton && e.Kind == event.KindConsultation && e.Seller != "":
		d.facet(e.Location, m, FacetSeller, e.Seller).Consultations++
	case e.Type == event.TypePOS && e.Seller != "":
		c := d.facet(e.Location, m, FacetSeller, e.Seller)
		// As the KPI feed: refunds apart, revenue and items net of them.
		if e.Refund {
			c.Refunds++
			c.RevenueCents -= int64(e.Amount)
			c.Items -= int64(e.Items)
		} else {
			c.Receipts++
			c.RevenueCents += int64(e.Amount)
			c.Items += int64(e.Items)
		}
	case e.Type == event.TypeReview:
		c := d.facet(e.Location, m, FacetReview, e.Platform)
		switch e.Kind {
		case event.KindShown:
			c.Shown++
		case event.KindClick:
			c.Clicks++
		}
	}
}

func (d *Deltas) facet(loc string, m int64, facet, subject string) *Facets {
	k := LikeKey{Location: loc, Minute: m, Subject: subject, Facet: facet}
	l := d.Likes[k]
	if l == nil {
		l = &LikeCounts{}
		d.Likes[k] = l
	}
	return &l.Facets
}
