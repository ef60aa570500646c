// Package event is CXM's event contract (v2 since configured questionnaires, items.go; every v1 event is
// a valid v2 event): the Go model of what devices and systems send, and its
// validation. The JSON Schema files in schemas/events describe the same contract; a test keeps them in step.
package event

import (
	"encoding/json"
	"time"
)

// Type is the envelope's event type.
type Type string

const (
	TypeButton  Type = "button"
	TypeCounter Type = "counter"
	TypePOS     Type = "pos"
	TypeSurvey  Type = "survey"
)

// Button kinds.
const (
	KindSmiley       = "smiley"
	KindConsultation = "consultation"
	KindLike         = "like"
	KindDislike      = "dislike"
)

// Event is one validated event. The wire format is flat: the envelope fields and the fields of the event's
// type share one JSON object, so the struct is flat too; fields of other types stay at their zero value.
type Event struct {
	// Envelope.
	ID       string    `json:"id"`
	Type     Type      `json:"type"`
	Location string    `json:"location"`
	Device   string    `json:"device,omitempty"`
	Time     time.Time `json:"time"`

	// button
	Kind    string `json:"kind,omitempty"`
	Value   int    `json:"value,omitempty"`   // smiley: 1..Scale
	Scale   int    `json:"scale,omitempty"`   // smiley: 3..5
	Subject string `json:"subject,omitempty"` // like / dislike
	// Reason is the follow-up answer's code (smiley, like, dislike, survey): one of the configured
	// reasons.positive or reasons.negative; the ingest checks it against the list matching the score.
	Reason string `json:"reason,omitempty"`

	// counter: people counted since the device's previous reading.
	In  int64 `json:"in"`
	Out int64 `json:"out"`

	// pos
	Receipt  string `json:"receipt,omitempty"`
	Amount   Amount `json:"amount"`
	Items    int    `json:"items,omitempty"`
	Currency string `json:"currency,omitempty"`
	Seller   string `json:"seller,omitempty"` // pos, and the consultation button
	Refund   bool   `json:"refund,omitempty"`

	// survey
	Survey  string   `json:"survey,omitempty"`
	Answers *Answers `json:"answers,omitempty"`

	// message (kind: complaint, thanks, suggestion) and case: their payloads, see message.go.
	Message *Message `json:"message,omitempty"`
	Case    *Case    `json:"case,omitempty"`
	// review (review.go): the hand-off to a review site, kind shown or click.
	Platform string `json:"platform,omitempty"`
	// audit (audit.go)
	Audit *Audit `json:"audit,omitempty"`

	// Ext is free extension data (a JSON object), carried through untouched.
	Ext json.RawMessage `json:"ext,omitempty"`

	// Misuse is set by the ingest itself, never by a sender: the reason an answer over an abuse limit is
	// kept but counted in no KPI. It travels as the Kafka header MisuseHeader, not in the event's JSON.
	Misuse string `json:"-"`
}

// MisuseHeader is the Kafka header carrying Event.Misuse.
const MisuseHeader = "cxm-misuse"

// Answers of a survey event. Absent answers are nil; Q holds the maturity assessment's q1..q11 (0 = absent).
type Answers struct {
	NPS     *int     `json:"nps,omitempty"`  // 0..10
	CSAT    *int     `json:"csat,omitempty"` // 1..5
	CES     *int     `json:"ces,omitempty"`  // 1..7, CES 2.0: 7 = very easy
	Comment string   `json:"comment,omitempty"`
	Q       [11]int8 `json:"-"` // q1..q11: 1..4, 0 = not answered
	// Items are the answers to the questions of a configured questionnaire (contract v2, items.go), in
	// the order sent; the survey's definition, not this package, says what they mean.
	Items []Item `json:"-"`
}
