package event

import (
	"strconv"
	"time"
	"unicode/utf8"
	"unsafe"
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
	b = appendTime(b, e.Time)
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
		case KindConsultation:
			if e.Seller != "" {
				b = append(b, `,"seller":`...)
				b = appendString(b, e.Seller)
			}
		}
		if e.Reason != "" && e.Kind != KindConsultation {
			b = append(b, `,"reason":`...)
			b = appendString(b, e.Reason)
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
		if e.Reason != "" {
			b = append(b, `,"reason":`...)
			b = appendString(b, e.Reason)
		}
	case TypeReview:
		b = e.appendReview(b)
	case TypeMessage:
		b = append(b, `,"kind":`...)
		b = appendString(b, e.Kind)
		if e.Message != nil {
			b = append(b, `,"message":`...)
			b = appendMessage(b, e.Message)
		}
	case TypeCase:
		if e.Case != nil {
			b = append(b, `,"case":`...)
			b = appendCase(b, e.Case)
		}
	case TypeAudit:
		if e.Audit != nil {
			b = append(b, `,"audit":`...)
			b = e.Audit.appendJSON(b)
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
	b = appendItems(b, a.Items)
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
	bs := unsafe.Slice(unsafe.StringData(s), len(s)) // read only
	start := 0
	for i := 0; ; {
		i = plainRun(bs, i)
		if i >= len(s) {
			break
		}
		c := s[i]
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

// appendTime appends t as time.RFC3339Nano does: the fraction without trailing zeros, Z for a zero offset.
// Times outside what the contract allows (timeInRange) go through time.AppendFormat.
func appendTime(b []byte, t time.Time) []byte {
	_, off := t.Zone()
	unix := t.Unix() + int64(off)
	days := unix / 86400
	secs := unix % 86400
	if secs < 0 {
		secs += 86400
		days--
	}
	year, month, day := civilFromDays(days)
	if year < 0 || year > 9999 || off%60 != 0 || off <= -24*3600 || off >= 24*3600 {
		return t.AppendFormat(b, time.RFC3339Nano)
	}
	b = append(b, byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+month/10), byte('0'+month%10), '-', byte('0'+day/10), byte('0'+day%10), 'T')
	h, m, s := int(secs/3600), int(secs/60%60), int(secs%60)
	b = append(b, byte('0'+h/10), byte('0'+h%10), ':', byte('0'+m/10), byte('0'+m%10), ':', byte('0'+s/10), byte('0'+s%10))
	if ns := t.Nanosecond(); ns != 0 {
		var frac [10]byte
		frac[0] = '.'
		for i := 9; i > 0; i-- {
			frac[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := 10
		for frac[n-1] == '0' {
			n--
		}
		b = append(b, frac[:n]...)
	}
	if off == 0 {
		return append(b, 'Z')
	}
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	oh, om := off/3600, off/60%60
	return append(b, sign, byte('0'+oh/10), byte('0'+oh%10), ':', byte('0'+om/10), byte('0'+om%10))
}

// civilFromDays is the date daysFromCivil maps to days (Howard Hinnant's civil_from_days).
func civilFromDays(days int64) (year, month, day int) {
	z := days + 719468
	era := z / 146097
	if z < 0 {
		era = (z - 146096) / 146097
	}
	doe := int(z - era*146097)                             // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // [0, 365]
	mp := (5*doy + 2) / 153                                // [0, 11], from March
	day = doy - (153*mp+2)/5 + 1
	month = mp + 3
	if month > 12 {
		month -= 12
	}
	year = yoe + int(era)*400
	if month <= 2 {
		year++
	}
	return year, month, day
}
