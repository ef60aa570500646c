package event

import (
	"sort"
	"strings"
)

// FieldError is one reason an event was rejected. Field is the JSON name of the offending field, dotted for
// nested ones ("answers.nps"); it is empty only when the document as a whole is at fault (not JSON, not an
// object, trailing data).
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

func (e FieldError) Error() string {
	if e.Field == "" {
		return e.Reason
	}
	return e.Field + ": " + e.Reason
}

// Errors lists every offending field of one event, one entry per field, in the order of the canonical
// encoding (envelope first), so the same input always yields the same errors.
type Errors []FieldError

func (es Errors) Error() string {
	var sb strings.Builder
	for i, e := range es {
		if i > 0 {
			sb.WriteString("; ")
		}
		sb.WriteString(e.Error())
	}
	return sb.String()
}

// Has reports whether field is among the errors; callers and tests use it to branch on a field.
func (es Errors) Has(field string) bool {
	for _, e := range es {
		if e.Field == field {
			return true
		}
	}
	return false
}

// add keeps the first reason per field: a later rule about a field that is already wrong only adds noise.
func (es *Errors) add(field, reason string) {
	if es.Has(field) {
		return
	}
	*es = append(*es, FieldError{Field: field, Reason: reason})
}

// sorted orders errors by canonical field rank, then by name for unknown fields, so the result does not
// depend on the order of keys in the input.
func (es Errors) sorted() Errors {
	if len(es) > 1 {
		sort.SliceStable(es, func(i, j int) bool {
			ri, rj := fieldRank(es[i].Field), fieldRank(es[j].Field)
			if ri != rj {
				return ri < rj
			}
			return es[i].Field < es[j].Field
		})
	}
	return es
}

func fieldRank(name string) int {
	if name == "" {
		return -1
	}
	if sub, ok := strings.CutPrefix(name, "answers."); ok {
		for i, n := range answerNames {
			if n == sub {
				return int(fAnswers)*100 + 1 + i
			}
		}
		return int(fAnswers)*100 + 99
	}
	for _, parent := range [...]field{fMessage, fCase} {
		if strings.HasPrefix(name, fieldNames[parent]+".") {
			return int(parent)*100 + 1
		}
	}
	for i, n := range fieldNames {
		if n == name {
			return i * 100
		}
	}
	return 1 << 30
}
