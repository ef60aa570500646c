package survey

import (
	"strconv"

	"github.com/cxm-project/cxm/internal/event"
)

// CheckAnswers checks a survey event's configured answers against its questionnaire: every key is a
// question of it, every value of the question's type and range (errors name the field: "answers.ease: 12
// is outside 1..7"), a question whose condition is not met has no answer (the page hides it; the server
// checks again), and a required question that is shown has one. The v1 keys are the contract's business
// (event.Parse) and are not looked at here.
func CheckAnswers(s *Survey, a *event.Answers) event.Errors {
	var out event.Errors
	bad := func(key, reason string) {
		out = append(out, event.FieldError{Field: "answers." + key, Reason: reason})
	}
	if a == nil {
		a = &event.Answers{}
	}
	for i := range a.Items {
		it := &a.Items[i]
		q := s.Question(it.Key)
		if q == nil {
			bad(it.Key, "unknown field: survey "+s.ID+" has no such question")
			continue
		}
		switch q.Type {
		case FreeText:
			if it.Kind != event.ItemText {
				bad(it.Key, "must be a string (free text)")
			}
		case Multiple:
			if it.Kind != event.ItemCodes {
				bad(it.Key, "must be an array of option codes")
				continue
			}
			seen := map[int]bool{}
			for _, c := range it.Codes {
				if !q.HasCode(c) {
					bad(it.Key, strconv.Itoa(c)+" is not an option code ("+codesText(q)+")")
					break
				}
				if seen[c] {
					bad(it.Key, "option "+strconv.Itoa(c)+" given twice")
					break
				}
				seen[c] = true
			}
		case Single:
			if it.Kind != event.ItemInt {
				bad(it.Key, "must be an integer option code")
			} else if !q.HasCode(it.Int) {
				bad(it.Key, strconv.Itoa(it.Int)+" is not an option code ("+codesText(q)+")")
			}
		default:
			lo, hi, _ := q.Range()
			if it.Kind != event.ItemInt {
				bad(it.Key, "must be an integer in "+rangeText(lo, hi))
			} else if it.Int < lo || it.Int > hi {
				bad(it.Key, strconv.Itoa(it.Int)+" is outside "+rangeText(lo, hi))
			}
		}
	}
	for i := range s.Questions {
		q := &s.Questions[i]
		it := a.Item(q.ID)
		shown := Shown(q, a)
		switch {
		case it != nil && !shown:
			c := q.ShowIf
			bad(q.ID, "not asked: shown only when "+c.Question+" is in "+rangeText(c.Min, c.Max))
		case it == nil && shown && q.Required:
			bad(q.ID, "required")
		}
	}
	return out
}

// Shown reports whether q is asked given the answers so far: no condition, or the condition's answer in
// its range.
func Shown(q *Question, a *event.Answers) bool {
	c := q.ShowIf
	if c == nil {
		return true
	}
	it := a.Item(c.Question)
	if it == nil {
		return false
	}
	switch it.Kind {
	case event.ItemInt:
		return it.Int >= c.Min && it.Int <= c.Max
	case event.ItemCodes:
		for _, v := range it.Codes {
			if v >= c.Min && v <= c.Max {
				return true
			}
		}
	}
	return false
}

func codesText(q *Question) string {
	s := ""
	for i, o := range q.Options {
		if i > 0 {
			s += ", "
		}
		s += strconv.Itoa(o.Code)
	}
	return s
}
