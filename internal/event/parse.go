package event

import (
	"encoding/binary"
	"unicode/utf8"
)

// Parse decodes one JSON object strictly and validates it against contract v1. It returns every offending
// field, one error per field in canonical order; on error the Event is the zero value. Keys are
// case-sensitive, unknown and duplicate keys are errors, numbers are read from their literal text.
func Parse(data []byte) (Event, Errors) {
	var e Event
	d := decoder{data: data}
	d.event(&e)
	if d.syntax != "" {
		return Event{}, Errors{{Reason: d.syntax}}
	}
	validate(&e, d.has, d.ahas, &d.errs)
	if len(d.errs) > 0 {
		return Event{}, d.errs.sorted()
	}
	return e, nil
}

// Decode reads an event the ingest has already validated and written in canonical form (the processor's
// Kafka input). Parse is fast enough for that (see BenchmarkParse/BenchmarkDecode), so Decode is Parse
// behind the error interface: a message that is somehow not a valid event is still caught, not counted.
func Decode(data []byte) (Event, error) {
	e, errs := Parse(data)
	if errs != nil {
		return Event{}, errs
	}
	return e, nil
}

// UnmarshalJSON makes encoding/json apply the same strict rules as Parse.
func (e *Event) UnmarshalJSON(data []byte) error {
	ev, errs := Parse(data)
	if errs != nil {
		return errs
	}
	*e = ev
	return nil
}

func (d *decoder) event(e *Event) {
	d.ws()
	switch d.peek() {
	case '{':
	case 0:
		if d.pos >= len(d.data) {
			d.fail("unexpected end of input")
			return
		}
		fallthrough
	default:
		if d.skipValue(0) {
			d.syntax = "must be a JSON object"
		}
		return
	}
	if !d.members(e) {
		return
	}
	d.ws()
	if d.pos != len(d.data) {
		d.fail("unexpected data after the object")
	}
}

// members reads the members of the event object at d.pos: object with member, but keys that are plainly a
// field's name are recognised without decoding them.
func (d *decoder) members(e *Event) bool {
	if d.open('}') {
		return true
	}
	guess := fID
	for {
		if d.peek() != '"' {
			return d.fail("expected a field name")
		}
		if f, ok := d.knownKey(guess); ok {
			if d.pos < len(d.data) && d.data[d.pos] == ':' {
				d.pos++ // the compact form: no need for expect's whitespace checks
				d.ws()
			} else if !d.expect(':', "':'") {
				return false
			}
			if !d.field(e, f) {
				return false
			}
			guess = nextField(f, e.Type)
		} else {
			key, ok := d.readString()
			if !ok || !d.expect(':', "':'") || !d.member(e, key) {
				return false
			}
		}
		// next('}'), written out: it is too big to inline and this runs after every member of every event.
		d.ws()
		switch d.peek() {
		case ',':
			d.pos++
			d.ws()
		case '}':
			d.pos++
			return true
		default:
			return d.fail("expected ',' or '}'")
		}
	}
}

// knownKey steps over the key at d.pos (a '"') when its raw bytes are a field's name followed by '"', which
// is how every field name but an escaped one is written. guess is tried first: the field expected next.
func (d *decoder) knownKey(guess field) (field, bool) {
	rest := d.data[d.pos+1:]
	if len(rest) < 9 {
		return 0, false // the object ends soon: leave the rare short case to the general path
	}
	w := binary.LittleEndian.Uint64(rest)
	if guess < nFields && keyPats[guess].match(w, rest) {
		d.pos += int(keyPats[guess].n) + 1
		return guess, true
	}
	for _, f := range keysByFirst[byte(w)] {
		if keyPats[f].match(w, rest) {
			d.pos += int(keyPats[f].n) + 1
			return f, true
		}
	}
	return 0, false
}

// keyPat is a field's name and closing quote as it starts a key's raw bytes: the first eight bytes as a
// little-endian word under a mask, and its length. No name is longer than eight letters.
type keyPat struct {
	w, mask uint64
	n       uint8
}

// match reports whether rest (at least 9 bytes, w its first eight) starts with the pattern.
func (p *keyPat) match(w uint64, rest []byte) bool {
	return w&p.mask == p.w && (p.n <= 8 || rest[8] == '"')
}

var (
	keyPats     [nFields]keyPat
	keysByFirst [256][]field // fields by the first letter of their names
)

func init() {
	for f := field(0); f < nFields; f++ {
		key := fieldNames[f] + `"`
		if len(fieldNames[f]) > 8 {
			panic("event: field name longer than 8 letters: " + fieldNames[f])
		}
		var p keyPat
		for i := 0; i < len(key) && i < 8; i++ {
			p.w |= uint64(key[i]) << (8 * i)
			p.mask |= 0xff << (8 * i)
		}
		p.n = uint8(len(key))
		keyPats[f] = p
		keysByFirst[key[0]] = append(keysByFirst[key[0]], f)
	}
}

// nextField is the field that follows f in the canonical encoding of an event of type t (nFields: none).
func nextField(f field, t Type) field {
	switch f {
	case fTime:
		switch t {
		case TypeButton:
			return fKind
		case TypeCounter:
			return fIn
		case TypePOS:
			return fReceipt
		case TypeSurvey:
			return fSurvey
		case TypeMessage:
			return fKind
		case TypeCase:
			return fCase
		case TypeAudit:
			return fAudit
		}
		return nFields
	case fKind:
		return fValue
	case fSubject, fScale, fOut, fRefund, fAnswers, fExt, fAudit:
		return fExt
	case fSeller:
		return fRefund
	}
	return f + 1
}

// open steps over the '{' or '[' at d.pos and the whitespace after it, and over end too when the object or
// array is empty (then it reports true).
func (d *decoder) open(end byte) bool {
	d.pos++
	d.ws()
	if d.peek() == end {
		d.pos++
		return true
	}
	return false
}

// next steps over the ',' (more is true) or the closing end after a member or element; anything else fails.
func (d *decoder) next(end byte) (more, ok bool) {
	d.ws()
	switch d.peek() {
	case ',':
		d.pos++
		d.ws()
		return true, true
	case end:
		d.pos++
		return false, true
	}
	return false, d.fail("expected ',' or '" + string(end) + "'")
}

// object reads the members of the object at d.pos, calling member with d.pos at each value.
func (d *decoder) object(member func(key []byte) bool) bool {
	if d.open('}') {
		return true
	}
	for {
		if d.peek() != '"' {
			return d.fail("expected a field name")
		}
		key, ok := d.readString()
		if !ok || !d.expect(':', "':'") || !member(key) {
			return false
		}
		if more, ok := d.next('}'); !more {
			return ok
		}
	}
}

func lookupField(key []byte) (field, bool) {
	switch string(key) {
	case "id":
		return fID, true
	case "type":
		return fType, true
	case "location":
		return fLocation, true
	case "device":
		return fDevice, true
	case "time":
		return fTime, true
	case "kind":
		return fKind, true
	case "value":
		return fValue, true
	case "scale":
		return fScale, true
	case "subject":
		return fSubject, true
	case "in":
		return fIn, true
	case "out":
		return fOut, true
	case "receipt":
		return fReceipt, true
	case "amount":
		return fAmount, true
	case "items":
		return fItems, true
	case "currency":
		return fCurrency, true
	case "seller":
		return fSeller, true
	case "refund":
		return fRefund, true
	case "survey":
		return fSurvey, true
	case "answers":
		return fAnswers, true
	case "ext":
		return fExt, true
	case "message":
		return fMessage, true
	case "case":
		return fCase, true
	case "reason":
		return fReason, true
	case "platform":
		return fPlatform, true
	case "audit":
		return fAudit, true
	}
	return 0, false
}

// unknownName is the error's field for an unknown key, shortened so a hostile key is not echoed in full.
func unknownName(prefix string, key []byte) string {
	const max = 64
	if utf8.RuneCount(key) > max {
		n := 0
		for i := range string(key) {
			if n == max {
				key = key[:i]
				break
			}
			n++
		}
		return prefix + string(key) + "…"
	}
	return prefix + string(key)
}

func (d *decoder) member(e *Event, key []byte) bool {
	f, known := lookupField(key)
	if !known {
		d.errs.add(unknownName("", key), reasonUnknown)
		return d.skipValue(0)
	}
	return d.field(e, f)
}

// field reads the value of field f, at d.pos.
func (d *decoder) field(e *Event, f field) bool {
	name := fieldNames[f]
	if d.has.has(f) {
		d.errs.add(name, reasonDuplicate)
		return d.skipValue(0)
	}
	d.has.set(f)
	switch f {
	case fID:
		return d.str(name, &e.ID)
	case fLocation:
		return d.strInterned(name, &e.Location)
	case fDevice:
		return d.strInterned(name, &e.Device)
	case fSubject:
		return d.str(name, &e.Subject)
	case fReceipt:
		return d.str(name, &e.Receipt)
	case fCurrency:
		return d.str(name, &e.Currency)
	case fSeller:
		return d.str(name, &e.Seller)
	case fSurvey:
		return d.str(name, &e.Survey)
	case fReason:
		return d.str(name, &e.Reason)
	case fPlatform:
		return d.str(name, &e.Platform)
	case fType:
		b, ok, isStr := d.strBytes(name)
		if isStr {
			e.Type = internType(b)
		}
		return ok
	case fKind:
		b, ok, isStr := d.strBytes(name)
		if isStr {
			e.Kind = internKind(b)
		}
		return ok
	case fTime:
		b, ok, isStr := d.strBytes(name)
		if isStr {
			t, reason := parseTime(b)
			if reason != "" {
				d.errs.add(name, reason)
			}
			e.Time = t
		}
		return ok
	case fValue:
		v, ok := d.integer(name)
		e.Value = int(v)
		return ok
	case fScale:
		v, ok := d.integer(name)
		e.Scale = int(v)
		return ok
	case fItems:
		v, ok := d.integer(name)
		e.Items = int(v)
		return ok
	case fIn:
		v, ok := d.integer(name)
		e.In = v
		return ok
	case fOut:
		v, ok := d.integer(name)
		e.Out = v
		return ok
	case fAmount:
		var lit []byte
		var ok bool
		switch c := d.peek(); {
		case c == '"':
			lit, ok = d.readString()
		case c == '-' || (c >= '0' && c <= '9'):
			lit, ok = d.readNumber()
		default:
			d.errs.add(name, reasonAmountType)
			return d.skipValue(0)
		}
		if ok {
			a, err := parseAmount(lit)
			if err != nil {
				d.errs.add(name, err.Error())
			}
			e.Amount = a
		}
		return ok
	case fRefund:
		switch d.peek() {
		case 't':
			e.Refund = true
			return d.readLiteral("true")
		case 'f':
			return d.readLiteral("false")
		}
		d.errs.add(name, reasonBool)
		return d.skipValue(0)
	case fAnswers:
		if d.peek() != '{' {
			d.errs.add(name, reasonObject)
			return d.skipValue(0)
		}
		e.Answers = d.answers()
		return e.Answers != nil
	case fMessage:
		if d.peek() != '{' {
			d.errs.add(name, reasonObject)
			return d.skipValue(0)
		}
		m := d.message()
		if m != nil && *m != (Message{}) {
			e.Message = m // {"consent": false} alone says nothing: no message object, as in the canonical form
		}
		return m != nil
	case fCase:
		if d.peek() != '{' {
			d.errs.add(name, reasonObject)
			return d.skipValue(0)
		}
		e.Case = d.caseAction()
		return e.Case != nil
	case fAudit:
		if d.peek() != '{' {
			d.errs.add(name, reasonObject)
			return d.skipValue(0)
		}
		e.Audit = d.audit()
		return e.Audit != nil
	case fExt:
		if d.peek() != '{' {
			d.errs.add(name, reasonObject)
			return d.skipValue(0)
		}
		start := d.pos
		if !d.skipValue(0) {
			return false
		}
		raw := d.data[start:d.pos]
		e.Ext = compactJSON(make([]byte, 0, len(raw)), raw)
		return true
	}
	return true
}

func internType(b []byte) Type {
	switch string(b) {
	case "button":
		return TypeButton
	case "counter":
		return TypeCounter
	case "pos":
		return TypePOS
	case "survey":
		return TypeSurvey
	case "message":
		return TypeMessage
	case "case":
		return TypeCase
	case "review":
		return TypeReview
	case "audit":
		return TypeAudit
	}
	return Type(b)
}

func internKind(b []byte) string {
	switch string(b) {
	case KindSmiley:
		return KindSmiley
	case KindConsultation:
		return KindConsultation
	case KindLike:
		return KindLike
	case KindDislike:
		return KindDislike
	}
	return string(b)
}

// strBytes reads a string value; isStr is false (and a type error recorded) when the value is not a string.
func (d *decoder) strBytes(name string) (b []byte, ok, isStr bool) {
	if d.peek() != '"' {
		d.errs.add(name, reasonString)
		return nil, d.skipValue(0), false
	}
	b, ok = d.readString()
	return b, ok, ok
}

func (d *decoder) str(name string, dst *string) bool {
	b, ok, isStr := d.strBytes(name)
	if isStr {
		*dst = string(b)
	}
	return ok
}

// strInterned is str for values that repeat across events (intern).
func (d *decoder) strInterned(name string, dst *string) bool {
	b, ok, isStr := d.strBytes(name)
	if isStr {
		*dst = intern(b)
	}
	return ok
}

// integer reads an integer value; ok is false only on a syntax error.
func (d *decoder) integer(name string) (int64, bool) {
	// The common case: a few digits, then what follows a value (the checks below read it all otherwise).
	if i := d.pos; i < len(d.data) && d.data[i] >= '1' && d.data[i] <= '9' {
		v := int64(d.data[i] - '0')
		for i++; i < len(d.data) && i-d.pos < 15 && d.data[i] >= '0' && d.data[i] <= '9'; i++ {
			v = v*10 + int64(d.data[i]-'0')
		}
		if i < len(d.data) && (d.data[i] == ',' || d.data[i] == '}') {
			d.pos = i
			return v, true
		}
	}
	if c := d.peek(); c != '-' && (c < '0' || c > '9') {
		d.errs.add(name, reasonInteger)
		return 0, d.skipValue(0)
	}
	lit, ok := d.readNumber()
	if !ok {
		return 0, false
	}
	v, isInt := intLiteral(lit)
	if !isInt {
		d.errs.add(name, reasonInteger)
	}
	return v, true
}

// answersBlock holds Answers and its three optional numbers in one allocation.
type answersBlock struct {
	a Answers
	n [3]int
}

// answers reads the answers object; nil means a syntax error.
func (d *decoder) answers() *Answers {
	blk := new(answersBlock)
	a := &blk.a
	ok := d.object(func(key []byte) bool {
		d.ahas.set(aAnyKey)
		i := answerIndex(key)
		if i < 0 {
			if ValidItemKey(string(key)) {
				return d.item(a, key) // contract v2: an answer to a configured question
			}
			d.errs.add(unknownName("answers.", key), reasonUnknown)
			return d.skipValue(0)
		}
		name := answerFields[i]
		if d.ahas.has(i) {
			d.errs.add(name, reasonDuplicate)
			return d.skipValue(0)
		}
		d.ahas.set(i)
		if i == aComment {
			return d.str(name, &a.Comment)
		}
		v, ok := d.integer(name)
		switch {
		case i < aComment:
			blk.n[i] = int(max(min(v, 1<<31), -1<<31))
			switch i {
			case aNPS:
				a.NPS = &blk.n[i]
			case aCSAT:
				a.CSAT = &blk.n[i]
			case aCES:
				a.CES = &blk.n[i]
			}
		default:
			// Clamped into int8 so an out-of-range answer cannot wrap into a valid one (261 -> 5).
			a.Q[i-aQ1] = int8(max(min(v, 127), -128))
		}
		return ok
	})
	if !ok {
		return nil
	}
	return a
}

func answerIndex(key []byte) int {
	switch string(key) {
	case "nps":
		return aNPS
	case "csat":
		return aCSAT
	case "ces":
		return aCES
	case "comment":
		return aComment
	}
	if len(key) >= 2 && len(key) <= 3 && key[0] == 'q' && key[1] >= '1' && key[1] <= '9' {
		n := int(key[1] - '0')
		if len(key) == 3 {
			if key[2] < '0' || key[2] > '9' {
				return -1
			}
			n = n*10 + int(key[2]-'0')
		}
		if n >= 1 && n <= 11 {
			return aQ1 + n - 1
		}
	}
	return -1
}
