package rules

import (
	"github.com/cxm-project/cxm/internal/event"
)

// checkWhy checks what only the configuration can tell: a follow-up reason is one of the list matching the
// score (reasons.positive / reasons.negative), and a review hand-off names a review page of its location.
func (r *Rules) checkWhy(e *event.Event) event.Errors {
	var errs event.Errors
	if msg := r.reasons.Check(e); msg != "" {
		errs = append(errs, event.FieldError{Field: "reason", Reason: msg})
	}
	if e.Type == event.TypeReview {
		if l := r.locations[e.Location]; l != nil && l.Review(e.Platform) == nil {
			errs = append(errs, event.FieldError{Field: "platform", Reason: "not a review page of this location (locations[].reviews)"})
		}
	}
	return errs
}
