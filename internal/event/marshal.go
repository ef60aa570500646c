package event

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// MarshalJSON writes the canonical encoding (see AppendJSON).
func (e Event) MarshalJSON() ([]byte, error) {
	return e.AppendJSON(make([]byte, 0, 256)), nil
}

// AppendJSON appends the canonical encoding of e: envelope first, then only the fields of e's type (and, for
// buttons, of its kind), in a fixed order; amount as a string with two decimals; time in RFC 3339 with the
// event's own offset and fractional seconds only when present; ext compacted. Parse(AppendJSON(e)) gives e
// back for every event Parse returned. It does not validate: call Validate first on events built in Go.
func (e *Event) AppendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, e.ID)
	b = append(b, `,"type":`...)
	b = appendString(b, string(e.Type))
	b = append(b, `,"location":`...)
	b = appendString(b, e.Location)
	if e.Device != "" {
		b = append(b, `,"device":`...)
		b = appendString(b, e.Device)
	}
	b = append(b, `,"time":"`...)
	b = e.Time.AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')

	switch e.Type {
	case TypeButton:
		b = append(b, `,"kind":`...)
		b = appendString(b, e.Kind)
		switch e.Kind {
		case KindSmiley:
			b = append(b, `,"value":`...)
			b = strconv.AppendInt(b, int64(e.Value), 10)
			b = append(b, `,"scale":`...)
			b = strconv.AppendInt(b, int64(e.Scale), 10)
		case KindLike, KindDislike:
			b = append(b, `,"subject":`...)
			b = appendString(b, e.Subject)
		}
	case TypeCounter:
		b = append(b, `,"in":`...)
		b = strconv.AppendInt(b, e.In, 10)
		b = append(b, `,"out":`...)
		b = strconv.AppendInt(b, e.Out, 10)
	case TypePOS:
		b = append(b, `,"receipt":`...)
		b = appendString(b, e.Receipt)
		b = append(b, `,"amount":"`...)
		b = e.Amount.appendTo(b)
		b = append(b, `","items":`...)
		b = strconv.AppendInt(b, int64(e.Items), 10)
		if e.Currency != "" {
			b = append(b, `,"currency":`...)
			b = appendString(b, e.Currency)
		}
		if e.Seller != "" {
			b = append(b, `,"seller":`...)
			b = appendString(b, e.Seller)
		}
		if e.Refund {
			b = append(b, `,"refund":true`...)
		}
	case TypeSurvey:
		b = append(b, `,"survey":`...)
		b = appendString(b, e.Survey)
		if e.Answers != nil {
			b = append(b, `,"answers":`...)
			b = e.Answers.appendJSON(b)
		}
	}
	if len(e.Ext) > 0 {
		b = append(b, `,"ext":`...)
		b = compactJSON(b, e.Ext)
	}
	return append(b, '}')
}

// MarshalJSON writes only the answers given: nps, csat, ces, comment, then q1..q11 that are not 0.
func (a Answers) MarshalJSON() ([]byte, error) {
	return a.appendJSON(make([]byte, 0, 64)), nil
}

func (a *Answers) appendJSON(b []byte) []byte {
	b = append(b, '{')
	sep := func() {
		if b[len(b)-1] != '{' {
			b = append(b, ',')
		}
	}
	for i, p := range [...]*int{a.NPS, a.CSAT, a.CES} {
		if p != nil {
			sep()
			b = append(b, '"')
			b = append(b, answerNames[i]...)
			b = append(b, `":`...)
			b = strconv.AppendInt(b, int64(*p), 10)
		}
	}
	if a.Comment != "" {
		sep()
		b = append(b, `"comment":`...)
		b = appendString(b, a.Comment)
	}
	for i, q := range a.Q {
		if q != 0 {
			sep()
			b = append(b, '"')
			b = append(b, answerNames[aQ1+i]...)
			b = append(b, `":`...)
			b = strconv.AppendInt(b, int64(q), 10)
		}
	}
	return append(b, '}')
}

// UnmarshalJSON reads answers with the same rules as Parse; errors name fields as "answers.<key>".
func (a *Answers) UnmarshalJSON(data []byte) error {
	d := decoder{data: data}
	d.ws()
	if d.peek() != '{' {
		return Errors{{Field: "answers", Reason: reasonObject}}
	}
	d.has.set(fAnswers)
	got := d.answers()
	if d.syntax == "" {
		d.ws()
		if d.pos != len(d.data) {
			d.fail("unexpected data after the object")
		}
	}
	if d.syntax != "" {
		return Errors{{Reason: d.syntax}}
	}
	validateAnswers(got, d.ahas, &d.errs)
	if len(d.errs) > 0 {
		return d.errs.sorted()
	}
	*a = *got
	return nil
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string, escaping only what JSON requires. Invalid UTF-8 becomes U+FFFD, as
// encoding/json does; Parse and Validate never let such a string through.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
