package event

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// field identifies a top-level field; presence of fields is a bitmask so the validator knows "absent" from
// "zero" for events read from JSON, where a present 0 or false can be wrong (value 0 on a like).
type field uint8

const (
	fID field = iota
	fType
	fLocation
	fDevice
	fTime
	fKind
	fValue
	fScale
	fSubject
	fIn
	fOut
	fReceipt
	fAmount
	fItems
	fCurrency
	fSeller
	fRefund
	fSurvey
	fAnswers
	fExt
	fMessage
	fCase
	fReason
	fPlatform
	fAudit
	nFields
)

// fieldNames is also the canonical order of the encoding and of errors.
var fieldNames = [nFields]string{"id", "type", "location", "device", "time", "kind", "value", "scale",
	"subject", "in", "out", "receipt", "amount", "items", "currency", "seller", "refund", "survey", "answers", "ext",
	"message", "case", "reason", "platform", "audit"}

type fieldSet uint32

func (s fieldSet) has(f field) bool { return s&(1<<f) != 0 }
func (s *fieldSet) set(f field)     { *s |= 1 << f }

func setOf(fs ...field) fieldSet {
	var s fieldSet
	for _, f := range fs {
		s |= 1 << f
	}
	return s
}

var envelopeFields = setOf(fID, fType, fLocation, fDevice, fTime, fExt)

// Fields beyond the envelope, per type and per button kind.
const (
	buttonFields  = fieldSet(1)<<fKind | 1<<fValue | 1<<fScale | 1<<fSubject | 1<<fReason | 1<<fSeller
	counterFields = fieldSet(1)<<fIn | 1<<fOut
	posFields     = fieldSet(1)<<fReceipt | 1<<fAmount | 1<<fItems | 1<<fCurrency | 1<<fSeller | 1<<fRefund
	surveyFields  = fieldSet(1)<<fSurvey | 1<<fAnswers | 1<<fReason
	messageFields = fieldSet(1)<<fKind | 1<<fMessage
	caseFields    = fieldSet(1) << fCase
	auditFields   = fieldSet(1) << fAudit
	smileyFields  = fieldSet(1)<<fKind | 1<<fValue | 1<<fScale | 1<<fReason
	consultFields = fieldSet(1)<<fKind | 1<<fSeller
	likeFields    = fieldSet(1)<<fKind | 1<<fSubject | 1<<fReason
)

// typeFields returns the fields of type t beyond the envelope; ok is false for an unknown type.
func typeFields(t Type) (fs fieldSet, ok bool) {
	switch t {
	case TypeButton:
		return buttonFields, true
	case TypeCounter:
		return counterFields, true
	case TypePOS:
		return posFields, true
	case TypeSurvey:
		return surveyFields, true
	case TypeMessage:
		return messageFields, true
	case TypeCase:
		return caseFields, true
	case TypeReview:
		return reviewFields, true
	case TypeAudit:
		return auditFields, true
	}
	return 0, false
}

// kindFields returns the button fields of kind; ok is false for an unknown kind.
func kindFields(kind string) (fs fieldSet, ok bool) {
	switch kind {
	case KindSmiley:
		return smileyFields, true
	case KindConsultation:
		return consultFields, true
	case KindLike, KindDislike:
		return likeFields, true
	}
	return 0, false
}

// Answer keys, in canonical order: nps, csat, ces, comment, q1..q11.
const (
	aNPS = iota
	aCSAT
	aCES
	aComment
	aQ1
	nAnswers = aQ1 + 11
	// aAnyKey marks an answers object that had keys, known or not, so {"mood": 3} is reported as an
	// unknown answer only, not also as empty (the schema's minProperties agrees).
	aAnyKey = nAnswers
)

var answerNames = [nAnswers]string{"nps", "csat", "ces", "comment",
	"q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "q10", "q11"}

// answerFields are the error field names, precomputed so reporting an answer error does not allocate.
var answerFields = func() (f [nAnswers]string) {
	for i, n := range answerNames {
		f[i] = "answers." + n
	}
	return f
}()

type answerSet uint16

func (s answerSet) has(a int) bool { return s&(1<<a) != 0 }
func (s *answerSet) set(a int)     { *s |= 1 << a }

// Limits of contract v1. They are part of the contract (schemas/events mirror them), not deployment
// settings, so they are constants rather than configuration.
const (
	MaxIDLen       = 128 // id, device, subject, receipt, seller, survey: characters (code points)
	MaxLocationLen = 64
	MaxCount       = 1_000_000 // counter in/out per reading; a door counter reports every few minutes
	MaxItems       = 1_000_000
	MaxCommentLen  = 4000
)

// Reasons. Tests and API clients match on them, so they are fixed strings.
const (
	reasonRequired     = "required"
	reasonUnknown      = "unknown field"
	reasonDuplicate    = "duplicate field"
	reasonString       = "must be a string"
	reasonInteger      = "must be an integer"
	reasonBool         = "must be a boolean"
	reasonObject       = "must be an object"
	reasonAmountType   = "must be a decimal string or a JSON number"
	reasonIDLen        = "must be 1 to 128 characters"
	reasonIDControl    = "must not contain control characters (U+0000..U+001F, U+007F)"
	reasonUTF8         = "must be valid UTF-8"
	reasonType         = "must be one of button, counter, pos, survey, message, case, review, audit"
	reasonKind         = "must be one of smiley, consultation, like, dislike"
	reasonLocation     = "must be 1 to 64 characters of A-Z a-z 0-9 . _ : -"
	reasonTime         = "must be an RFC 3339 date-time with a UTC offset, e.g. 2024-05-01T12:00:00+03:00"
	reasonTimeOffset   = "must include a UTC offset (Z or +hh:mm / -hh:mm)"
	reasonTimeRange    = "year must be 0000 to 9999 and the UTC offset whole minutes under 24 hours"
	reasonScale        = "must be between 3 and 5"
	reasonCount        = "must be between 0 and 1000000"
	reasonItems        = "must be between 1 and 1000000"
	reasonCurrency     = "must be an ISO 4217 code: three upper-case letters"
	reasonAnswersEmpty = "must contain at least one answer"
	reasonNPS          = "must be between 0 and 10"
	reasonCSAT         = "must be between 1 and 5"
	reasonCES          = "must be between 1 and 7"
	reasonComment      = "must be 1 to 4000 characters"
	reasonQ            = "must be between 1 and 4"
	reasonExt          = "must be a JSON object"
)

func notAllowedForType(t Type) string      { return "not allowed for type " + string(t) }
func notAllowedForKind(kind string) string { return "not allowed for kind " + kind }

// valueReason names the bound the value broke; the upper bound is the event's own scale when that is valid.
func valueReason(scale int) string {
	if scale < 3 || scale > 5 {
		scale = 5
	}
	return "must be between 1 and the scale (" + strconv.Itoa(scale) + ")"
}

// Validate checks an event built in Go (simulator, CSV importer) against contract v1. A zero value counts as
// absent, except counter in/out and the pos amount, which are always present for their types.
func (e *Event) Validate() Errors {
	var has fieldSet
	nonZero := [nFields]bool{
		fID: e.ID != "", fType: e.Type != "", fLocation: e.Location != "", fDevice: e.Device != "",
		fTime: !e.Time.IsZero(), fKind: e.Kind != "", fValue: e.Value != 0, fScale: e.Scale != 0,
		fSubject: e.Subject != "", fIn: e.In != 0 || e.Type == TypeCounter, fOut: e.Out != 0 || e.Type == TypeCounter,
		fReceipt: e.Receipt != "", fAmount: e.Amount != 0 || e.Type == TypePOS, fItems: e.Items != 0,
		fCurrency: e.Currency != "", fSeller: e.Seller != "", fRefund: e.Refund, fSurvey: e.Survey != "",
		fAnswers: e.Answers != nil, fExt: len(e.Ext) > 0, fMessage: e.Message != nil, fCase: e.Case != nil,
		fReason: e.Reason != "", fPlatform: e.Platform != "", fAudit: e.Audit != nil,
	}
	for f, nz := range nonZero {
		if nz {
			has.set(field(f))
		}
	}
	var ahas answerSet
	if a := e.Answers; a != nil {
		if a.NPS != nil {
			ahas.set(aNPS)
		}
		if a.CSAT != nil {
			ahas.set(aCSAT)
		}
		if a.CES != nil {
			ahas.set(aCES)
		}
		if a.Comment != "" {
			ahas.set(aComment)
		}
		for i, q := range a.Q {
			if q != 0 {
				ahas.set(aQ1 + i)
			}
		}
		if len(a.Items) > 0 {
			ahas.set(aAnyKey)
		}
	}

	var errs Errors
	// What the decoder checks while reading JSON, checked here for Go-built values.
	for _, s := range []struct {
		f field
		v string
	}{{fID, e.ID}, {fLocation, e.Location}, {fDevice, e.Device}, {fKind, e.Kind}, {fSubject, e.Subject},
		{fReceipt, e.Receipt}, {fCurrency, e.Currency}, {fSeller, e.Seller}, {fSurvey, e.Survey},
		{fReason, e.Reason}, {fPlatform, e.Platform}} {
		if !utf8.ValidString(s.v) {
			errs.add(fieldNames[s.f], reasonUTF8)
		}
	}
	if has.has(fTime) && !timeInRange(e.Time) {
		errs.add("time", reasonTimeRange)
	}
	if has.has(fAmount) && (e.Amount < 0 || e.Amount > MaxAmount) {
		errs.add("amount", ErrAmount.Error())
	}
	if has.has(fExt) && !isJSONObject(e.Ext) {
		errs.add("ext", reasonExt)
	}
	if e.Answers != nil {
		validateItems(e.Answers.Items, &errs)
	}
	if e.Answers != nil && !utf8.ValidString(e.Answers.Comment) {
		errs.add(answerFields[aComment], reasonUTF8)
	}
	validate(e, has, ahas, &errs)
	return errs.sorted()
}

func isJSONObject(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '{':
			return json.Valid(b)
		}
		return false
	}
	return false
}

// validate applies the rules shared by Parse and Validate. Fields that already have an error (from decoding)
// are skipped by errs.add, so each field is reported once.
func validate(e *Event, has fieldSet, ahas answerSet, errs *Errors) {
	required := func(f field) bool {
		if !has.has(f) {
			errs.add(fieldNames[f], reasonRequired)
			return false
		}
		return true
	}
	idLen := func(f field, s string) {
		// Up to MaxIDLen bytes are at most as many characters: counting them is needed only beyond.
		if has.has(f) && (len(s) == 0 || len(s) > MaxIDLen && utf8.RuneCountInString(s) > MaxIDLen) {
			errs.add(fieldNames[f], reasonIDLen)
		} else if has.has(f) && hasControl(s) {
			// A NUL or other control character in an identifier breaks logs, CSV and terminals downstream.
			errs.add(fieldNames[f], reasonIDControl)
		}
	}

	if required(fID) {
		idLen(fID, e.ID)
	}
	if required(fLocation) && !validLocation(e.Location) {
		errs.add("location", reasonLocation)
	}
	idLen(fDevice, e.Device)
	required(fTime)

	allowed, typeOK := typeFields(e.Type)
	if required(fType) && !typeOK {
		errs.add("type", reasonType)
	}
	if !typeOK {
		// Without a type there is no telling which fields belong; only the envelope is checked.
		return
	}
	if extra := has &^ envelopeFields &^ allowed; extra != 0 {
		for f := field(0); f < nFields; f++ {
			if extra.has(f) {
				errs.add(fieldNames[f], notAllowedForType(e.Type))
			}
		}
	}

	switch e.Type {
	case TypeButton:
		if !required(fKind) {
			return
		}
		kf, ok := kindFields(e.Kind)
		if !ok {
			errs.add("kind", reasonKind)
			return
		}
		if has&(1<<fValue|1<<fScale|1<<fSubject|1<<fReason|1<<fSeller)&^kf != 0 {
			for _, f := range [...]field{fValue, fScale, fSubject, fReason, fSeller} {
				if has.has(f) && !kf.has(f) {
					errs.add(fieldNames[f], notAllowedForKind(e.Kind))
				}
			}
		}
		switch e.Kind {
		case KindSmiley:
			if required(fScale) && (e.Scale < 3 || e.Scale > 5) {
				errs.add("scale", reasonScale)
			}
			if required(fValue) {
				limit := e.Scale
				if limit < 3 || limit > 5 {
					limit = 5
				}
				if e.Value < 1 || e.Value > limit {
					errs.add("value", valueReason(e.Scale))
				}
			}
		case KindLike, KindDislike:
			if required(fSubject) {
				idLen(fSubject, e.Subject)
			}
		case KindConsultation:
			idLen(fSeller, e.Seller)
		}
		idLen(fReason, e.Reason)
	case TypeCounter:
		if required(fIn) && (e.In < 0 || e.In > MaxCount) {
			errs.add("in", reasonCount)
		}
		if required(fOut) && (e.Out < 0 || e.Out > MaxCount) {
			errs.add("out", reasonCount)
		}
	case TypePOS:
		if required(fReceipt) {
			idLen(fReceipt, e.Receipt)
		}
		required(fAmount)
		if required(fItems) && (e.Items < 1 || e.Items > MaxItems) {
			errs.add("items", reasonItems)
		}
		if has.has(fCurrency) && !validCurrency(e.Currency) {
			errs.add("currency", reasonCurrency)
		}
		idLen(fSeller, e.Seller)
	case TypeSurvey:
		if required(fSurvey) {
			idLen(fSurvey, e.Survey)
		}
		if required(fAnswers) && e.Answers != nil {
			validateAnswers(e.Answers, ahas, errs)
		}
		idLen(fReason, e.Reason)
	case TypeReview:
		validateReview(e, required, idLen, errs)
	case TypeMessage:
		if required(fKind) && !messageKinds[e.Kind] {
			errs.add("kind", reasonMessageKind)
		}
		if e.Message != nil {
			validateMessage(e.Message, errs)
		}
	case TypeCase:
		if required(fCase) && e.Case != nil {
			validateCase(e.Case, errs)
		}
	case TypeAudit:
		if required(fAudit) && e.Audit != nil {
			validateAudit(e.Audit, errs)
		}
	}
}

func validateAnswers(a *Answers, ahas answerSet, errs *Errors) {
	if ahas == 0 {
		errs.add("answers", reasonAnswersEmpty)
		return
	}
	intRange := func(i int, p *int, lo, hi int, reason string) {
		if ahas.has(i) && p != nil && (*p < lo || *p > hi) {
			errs.add(answerFields[i], reason)
		}
	}
	intRange(aNPS, a.NPS, 0, 10, reasonNPS)
	intRange(aCSAT, a.CSAT, 1, 5, reasonCSAT)
	intRange(aCES, a.CES, 1, 7, reasonCES)
	if ahas.has(aComment) {
		if n := utf8.RuneCountInString(a.Comment); n < 1 || n > MaxCommentLen {
			errs.add(answerFields[aComment], reasonComment)
		}
	}
	for i, q := range a.Q {
		if ahas.has(aQ1+i) && (q < 1 || q > 4) {
			errs.add(answerFields[aQ1+i], reasonQ)
		}
	}
}

func validLocation(s string) bool {
	if len(s) < 1 || len(s) > MaxLocationLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}

func validCurrency(s string) bool {
	return len(s) == 3 && 'A' <= s[0] && s[0] <= 'Z' && 'A' <= s[1] && s[1] <= 'Z' && 'A' <= s[2] && s[2] <= 'Z'
}

// hasControl reports an ASCII control character (multi-byte UTF-8 never contains bytes below 0x80).
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return true
		}
	}
	return false
}
