package event

// Positive says which follow-up list a reason of e belongs to: the positive list for a happy answer, the
// negative one otherwise. ok is false when e has no score a reason could follow (a consultation, a survey
// with only a comment).
//
// A smiley press is positive above the middle face (4–5 of 5, 3–4 of 4, 3 of 3): the middle face is asked
// what could be better, as HappyOrNot's follow-up does. A survey follows its first rating in the order nps,
// csat, ces, with the usual "happy" bands: promoters (9–10), top-2-box CSAT (4–5), CES 5–7.
func (e *Event) Positive() (positive, ok bool) {
	switch e.Type {
	case TypeButton:
		switch e.Kind {
		case KindSmiley:
			return e.Value*2 > e.Scale+1, true
		case KindLike:
			return true, true
		case KindDislike:
			return false, true
		}
	case TypeSurvey:
		a := e.Answers
		switch {
		case a == nil:
		case a.NPS != nil:
			return *a.NPS >= 9, true
		case a.CSAT != nil:
			return *a.CSAT >= 4, true
		case a.CES != nil:
			return *a.CES >= 5, true
		}
	}
	return false, false
}
