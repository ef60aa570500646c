package event

import (
	"strconv"
	"unicode/utf8"
)

// Contract v2 (this file) adds the answers of configured questionnaires to the survey event: besides the
// v1 keys (nps, csat, ces, comment, q1..q11, which keep their meaning and checks), the answers object may
// carry any key that is a question id — lower-case letters, digits and '_', starting with a letter, at
// most 32 characters — whose value is an integer (a scale, rating, yes/no as 1/0, or a single choice's
// code), an array of integers (a multiple choice's codes) or a string (a free-text answer). What a key
// means, its range and whether it is required come from the survey's definition in the configuration:
// the ingest checks an event against it (internal/survey), this package checks only the shape.

// ContractVersion is the event contract's version: 2 since configured questionnaires (v1 events are v2
// events: nothing v1 accepted is refused).
const ContractVersion = 2

// ItemKind is the JSON shape of an Item's value.
type ItemKind uint8

const (
	ItemInt   ItemKind = iota + 1 // an integer
	ItemCodes                     // an array of integers
	ItemText                      // a string
)

// Item is one answer to a configured question, keyed by the question id.
type Item struct {
	Key   string
	Kind  ItemKind
	Int   int    // ItemInt
	Codes []int  // ItemCodes
	Text  string // ItemText
}

// Limits of the v2 answers. Contract constants like the v1 limits (schemas/events mirror them).
const (
	MaxAnswerItems = 200 // configured answers in one event
	MaxItemKey     = 32  // characters of a question id
	MaxItemCodes   = 64  // codes of one multiple-choice answer
)

const (
	reasonItemCount = "must hold at most 200 configured answers"
	reasonItemValue = "must be an integer, an array of integers or a string"
	reasonItemCodes = "must be an array of 1 to 64 integers"
	reasonItemText  = "must be 1 to 4000 characters"
)

// ValidItemKey reports whether k is a question id of contract v2. "q" followed by digits only stays the
// maturity assessment's (q1..q11; q0, q12… are unknown as in v1), so such ids cannot be configured.
func ValidItemKey(k string) bool {
	if len(k) == 0 || len(k) > MaxItemKey || k[0] < 'a' || k[0] > 'z' || isQDigits(k) {
		return false
	}
	for i := 1; i < len(k); i++ {
		c := k[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Item returns the answer keyed k, nil when absent.
func (a *Answers) Item(k string) *Item {
	if a == nil {
		return nil
	}
	for i := range a.Items {
		if a.Items[i].Key == k {
			return &a.Items[i]
		}
	}
	return nil
}

// item reads the value of a configured answer at d.pos into a.Items.
func (d *decoder) item(a *Answers, key []byte) bool {
	name := "answers." + string(key)
	for i := range a.Items {
		if a.Items[i].Key == string(key) {
			d.errs.add(name, reasonDuplicate)
			return d.skipValue(0)
		}
	}
	if len(a.Items) >= MaxAnswerItems {
		d.errs.add("answers", reasonItemCount)
		return d.skipValue(0)
	}
	it := Item{Key: string(key)}
	switch c := d.peek(); {
	case c == '"':
		b, ok := d.readString()
		if !ok {
			return false
		}
		it.Kind, it.Text = ItemText, string(b)
		if n := utf8.RuneCount(b); n < 1 || n > MaxCommentLen {
			d.errs.add(name, reasonItemText)
		}
	case c == '[':
		it.Kind = ItemCodes
		bad := false
		if !d.open(']') {
			for {
				if c := d.peek(); c != '-' && (c < '0' || c > '9') {
					bad = true
					if !d.skipValue(1) {
						return false
					}
				} else {
					lit, ok := d.readNumber()
					if !ok {
						return false
					}
					v, isInt := intLiteral(lit)
					bad = bad || !isInt
					it.Codes = append(it.Codes, int(max(min(v, 1<<31), -1<<31)))
				}
				more, ok := d.next(']')
				if !ok {
					return false
				}
				if !more {
					break
				}
			}
		}
		if bad || len(it.Codes) == 0 || len(it.Codes) > MaxItemCodes {
			d.errs.add(name, reasonItemCodes)
		}
	case c == '-' || (c >= '0' && c <= '9'):
		v, ok := d.integer(name)
		if !ok {
			return false
		}
		it.Kind, it.Int = ItemInt, int(max(min(v, 1<<31), -1<<31))
	default:
		d.errs.add(name, reasonItemValue)
		return d.skipValue(0)
	}
	a.Items = append(a.Items, it)
	return true
}

// validateItems checks the shape of Go-built items (Parse checks it while reading).
func validateItems(items []Item, errs *Errors) {
	if len(items) > MaxAnswerItems {
		errs.add("answers", reasonItemCount)
	}
	for i := range items {
		it := &items[i]
		if !ValidItemKey(it.Key) || isV1Key(it.Key) {
			errs.add(unknownName("answers.", []byte(it.Key)), reasonUnknown)
			continue
		}
		for _, o := range items[:i] {
			if o.Key == it.Key {
				errs.add("answers."+it.Key, reasonDuplicate)
			}
		}
		name := "answers." + it.Key
		switch it.Kind {
		case ItemInt:
		case ItemCodes:
			if len(it.Codes) == 0 || len(it.Codes) > MaxItemCodes {
				errs.add(name, reasonItemCodes)
			}
		case ItemText:
			if !utf8.ValidString(it.Text) {
				errs.add(name, reasonUTF8)
			} else if n := utf8.RuneCountInString(it.Text); n < 1 || n > MaxCommentLen {
				errs.add(name, reasonItemText)
			}
		default:
			errs.add(name, reasonItemValue)
		}
	}
}

func isV1Key(k string) bool { return answerIndex([]byte(k)) >= 0 }

// appendItems writes the items in their order, after the v1 answers.
func appendItems(b []byte, items []Item) []byte {
	for i := range items {
		it := &items[i]
		if b[len(b)-1] != '{' {
			b = append(b, ',')
		}
		b = appendString(b, it.Key)
		b = append(b, ':')
		switch it.Kind {
		case ItemText:
			b = appendString(b, it.Text)
		case ItemCodes:
			b = append(b, '[')
			for j, c := range it.Codes {
				if j > 0 {
					b = append(b, ',')
				}
				b = strconv.AppendInt(b, int64(c), 10)
			}
			b = append(b, ']')
		default:
			b = strconv.AppendInt(b, int64(it.Int), 10)
		}
	}
	return b
}

// ItemsJSON is the configured answers alone as a JSON object ("" when there are none): the raw table's
// answers column, from which a recompute (cxm reindex) reads them back with ParseItems.
func ItemsJSON(items []Item) string {
	if len(items) == 0 {
		return ""
	}
	return string(append(appendItems([]byte{'{'}, items), '}'))
}

// ParseItems reads what ItemsJSON wrote.
func ParseItems(s string) ([]Item, error) {
	if s == "" {
		return nil, nil
	}
	var a Answers
	if err := a.UnmarshalJSON([]byte(s)); err != nil {
		return nil, err
	}
	return a.Items, nil
}

func isQDigits(k string) bool {
	if len(k) < 2 || k[0] != 'q' {
		return false
	}
	for i := 1; i < len(k); i++ {
		if k[i] < '0' || k[i] > '9' {
			return false
		}
	}
	return true
}
