// Package survey is CXM's configured questionnaires and indices: their definitions (the configuration's
// surveys: and indices:), the check of an answer event against its questionnaire, the per-respondent
// scores and answer counts the processor stores, and the index formulas registered as KPIs. Pure
// computation: no I/O.
package survey

import (
	"fmt"
	"strconv"
)

// Text is a text in Russian and English; an empty language falls back to the other.
type Text struct {
	EN string `koanf:"en" json:"en,omitempty"`
	RU string `koanf:"ru" json:"ru,omitempty"`
}

// In returns the text in lang ("ru" or "en").
func (t Text) In(lang string) string {
	if lang == "ru" && t.RU != "" || t.EN == "" {
		return t.RU
	}
	return t.EN
}

// Audiences.
const (
	Customers = "customers"
	Staff     = "staff"
)

// Question types.
const (
	Scale    = "scale"    // 0..10 (likelihood to recommend)
	Rating   = "rating"   // 1..max, max 2..11
	CES      = "ces"      // 1..7, 7 = very easy (CES 2.0)
	YesNo    = "yes_no"   // 1 = yes, 0 = no
	Single   = "single"   // one coded option
	Multiple = "multiple" // several coded options
	FreeText = "text"     // free text
)

// Pairings of SERVQUAL items.
const (
	Expectation = "expectation"
	Perception  = "perception"
)

// Survey is one questionnaire.
type Survey struct {
	ID       string `koanf:"id"`
	Audience string `koanf:"audience"` // customers (default) | staff
	Title    Text   `koanf:"title"`
	Text     Text   `koanf:"text"` // the introduction shown above the questions
	// Source names where a template's items come from (shown in the page's footer and the README).
	Source    string     `koanf:"source"`
	Questions []Question `koanf:"questions"`
}

// Question is one question of a survey.
type Question struct {
	ID   string `koanf:"id"`
	Type string `koanf:"type"`
	// Max is the top of a rating (1..max, max 2..11).
	Max  int  `koanf:"max"`
	Text Text `koanf:"text"`
	// Low and High label the ends of a scale, rating or CES question.
	Low      Text     `koanf:"low"`
	High     Text     `koanf:"high"`
	Required bool     `koanf:"required"`
	Options  []Option `koanf:"options"`
	// Dimension groups questions for CSI and SERVQUAL; Weight is the question's weight within its
	// dimension (default 1).
	Dimension string  `koanf:"dimension"`
	Weight    float64 `koanf:"weight"`
	// Pair is expectation or perception (SERVQUAL); the two questions of one item share Item.
	Pair string `koanf:"pair"`
	Item string `koanf:"item"`
	// ShowIf shows the question only when another answer lies in a range.
	ShowIf *Condition `koanf:"show_if"`
}

// Option is one coded option of a choice question.
type Option struct {
	Code int  `koanf:"code"`
	Text Text `koanf:"text"`
}

// Condition: shown only when the answer to Question is in Min..Max (for a multiple choice: one of its
// codes is).
type Condition struct {
	Question string `koanf:"question"`
	Min      int    `koanf:"min"`
	Max      int    `koanf:"max"`
}

// Range is the answer range of a numeric question; ok is false for choice and text questions.
func (q *Question) Range() (lo, hi int, ok bool) {
	switch q.Type {
	case Scale:
		return 0, 10, true
	case Rating:
		return 1, q.Max, true
	case CES:
		return 1, 7, true
	case YesNo:
		return 0, 1, true
	}
	return 0, 0, false
}

// Numeric reports whether the question's answers are numbers on a range (scores can use them).
func (q *Question) Numeric() bool {
	_, _, ok := q.Range()
	return ok
}

// HasCode reports whether c is one of the question's option codes.
func (q *Question) HasCode(c int) bool {
	for _, o := range q.Options {
		if o.Code == c {
			return true
		}
	}
	return false
}

// weight is the question's weight within its dimension.
func (q *Question) weight() float64 {
	if q.Weight == 0 {
		return 1
	}
	return q.Weight
}

// Question returns the survey's question id, nil when there is none.
func (s *Survey) Question(id string) *Question {
	for i := range s.Questions {
		if s.Questions[i].ID == id {
			return &s.Questions[i]
		}
	}
	return nil
}

// Dimensions lists the survey's dimensions in order of first appearance.
func (s *Survey) Dimensions() []string {
	var out []string
	seen := map[string]bool{}
	for _, q := range s.Questions {
		if q.Dimension != "" && !seen[q.Dimension] {
			seen[q.Dimension] = true
			out = append(out, q.Dimension)
		}
	}
	return out
}

// rangeText is "lo..hi" for messages.
func rangeText(lo, hi int) string { return strconv.Itoa(lo) + ".." + strconv.Itoa(hi) }

// FieldError is one configuration error: the key (surveys[0].questions[3].max) and the reason.
type FieldError struct{ Key, Reason string }

func (e FieldError) Error() string { return e.Key + ": " + e.Reason }

type errs []FieldError

func (es *errs) add(key, format string, a ...any) {
	*es = append(*es, FieldError{key, fmt.Sprintf(format, a...)})
}
