package event

// TypeReview is the hand-off to a review site from a survey's thank-you page: the invitation shown (one
// event per platform offered) and the click on it (recorded by the redirect before the browser leaves).
const TypeReview Type = "review"

// Review kinds.
const (
	KindShown = "shown"
	KindClick = "click"
)

const (
	reviewFields     = fieldSet(1)<<fKind | 1<<fPlatform | 1<<fSurvey
	reasonReviewKind = "must be one of shown, click"
)

func validateReview(e *Event, required func(field) bool, idLen func(field, string), errs *Errors) {
	if required(fKind) && e.Kind != KindShown && e.Kind != KindClick {
		errs.add("kind", reasonReviewKind)
	}
	if required(fPlatform) {
		idLen(fPlatform, e.Platform)
	}
	idLen(fSurvey, e.Survey)
}

func (e *Event) appendReview(b []byte) []byte {
	b = append(b, `,"kind":`...)
	b = appendString(b, e.Kind)
	b = append(b, `,"platform":`...)
	b = appendString(b, e.Platform)
	if e.Survey != "" {
		b = append(b, `,"survey":`...)
		b = appendString(b, e.Survey)
	}
	return b
}
