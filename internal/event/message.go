package event

import (
	"slices"
	"strconv"
	"unicode/utf8"
)

// The closed loop's two event types. A `message` is what a customer says in their own words (complaint,
// thanks, suggestion); a `case` is one action on a case a manager works on (the rule engine opens it,
// people assign, comment, qualify, resolve and reopen it). Both are ordinary events: they go through the
// ingest, Kafka and the processor into the raw events table, which therefore holds every case's history.
const (
	TypeMessage Type = "message"
	TypeCase    Type = "case"
)

// Message kinds (the envelope's kind field on a message).
const (
	KindComplaint  = "complaint"
	KindThanks     = "thanks"
	KindSuggestion = "suggestion"
)

// Case actions.
const (
	ActionOpen    = "open"
	ActionAssign  = "assign"
	ActionComment = "comment"
	ActionQualify = "qualify"
	ActionResolve = "resolve"
	ActionReopen  = "reopen"
)

// Message is the payload of a message event ("message": {...}).
type Message struct {
	// Text is the customer's words; optional, since a terminal's complaint button sends none.
	Text string `json:"text,omitempty"`
	// Contact (phone, e-mail) may only be given with Consent: the contract rejects it otherwise, so no
	// contact detail is ever stored without the person's permission. Retention and `cxm privacy erase`
	// blank it.
	Contact string `json:"contact,omitempty"`
	Consent bool   `json:"consent,omitempty"`
	// Voice is a reference to a recording in the object store, never the recording itself.
	Voice string `json:"voice,omitempty"`
	// Re is the id of the event this message follows (the survey answer or smiley press before it).
	Re string `json:"re,omitempty"`
}

// Case is the payload of a case event ("case": {...}): one action on one case.
type Case struct {
	ID     string `json:"id"`
	Action string `json:"action"`
	// open: the rule that fired, the triggering event's id and type (the type selects the checklist).
	Rule    string `json:"rule,omitempty"`
	Trigger string `json:"trigger,omitempty"`
	Source  string `json:"source,omitempty"`
	// Actor is who acted (the ingest sets it from the token); Assignee whom an assign names.
	Actor    string `json:"actor,omitempty"`
	Assignee string `json:"assignee,omitempty"`
	Note     string `json:"note,omitempty"`
	// Checklist holds the qualification's answers: item id -> yes/no. Causes are root-cause ids of the
	// configured tree ("staff.politeness"). Whether they are complete is a matter of configuration, checked
	// by the ingest (internal/cases), not by the contract.
	Checklist map[string]bool `json:"checklist,omitempty"`
	Causes    []string        `json:"causes,omitempty"`
}

// Limits of the closed loop's fields, part of the contract like MaxCommentLen.
const (
	MaxMessageLen = 4000 // message.text, case.note: characters
	MaxContactLen = 256
	MaxRefLen     = 512 // message.voice: an object-store key
	MaxCauses     = 16
	MaxChecklist  = 64
)

const (
	reasonMessageKind = "must be one of complaint, thanks, suggestion"
	reasonAction      = "must be one of open, assign, comment, qualify, resolve, reopen"
	reasonText        = "must be 1 to 4000 characters"
	reasonContactLen  = "must be 1 to 256 characters"
	reasonConsent     = "must be true when contact is given (contact details are stored only with consent)"
	reasonRefLen      = "must be 1 to 512 characters"
	reasonCauses      = "must be an array of 1 to 16 distinct cause ids"
	reasonChecklist   = "must be an object of 1 to 64 item ids to true or false"
	reasonArray       = "must be an array"
	reasonEmptyMsg    = "must contain at least one field"
)

var messageKinds = map[string]bool{KindComplaint: true, KindThanks: true, KindSuggestion: true}

var caseActions = map[string]bool{ActionOpen: true, ActionAssign: true, ActionComment: true,
	ActionQualify: true, ActionResolve: true, ActionReopen: true}

// message reads the message object at d.pos (a '{'); nil means a syntax error.
func (d *decoder) message() *Message {
	m := new(Message)
	seen := map[string]bool{}
	ok := d.object(func(key []byte) bool {
		k := string(key)
		name := "message." + k
		if seen[k] {
			d.errs.add(name, reasonDuplicate)
			return d.skipValue(0)
		}
		seen[k] = true
		switch k {
		case "text":
			return d.nonEmpty(name, &m.Text, reasonText)
		case "contact":
			return d.nonEmpty(name, &m.Contact, reasonContactLen)
		case "voice":
			return d.nonEmpty(name, &m.Voice, reasonRefLen)
		case "re":
			return d.nonEmpty(name, &m.Re, reasonIDLen)
		case "consent":
			return d.boolean(name, &m.Consent)
		}
		d.errs.add(unknownName("message.", key), reasonUnknown)
		return d.skipValue(0)
	})
	if !ok {
		return nil
	}
	if len(seen) == 0 {
		d.errs.add("message", reasonEmptyMsg)
	}
	return m
}

// caseAction reads the case object at d.pos (a '{'); nil means a syntax error.
func (d *decoder) caseAction() *Case {
	c := new(Case)
	seen := map[string]bool{}
	ok := d.object(func(key []byte) bool {
		k := string(key)
		name := "case." + k
		if seen[k] {
			d.errs.add(name, reasonDuplicate)
			return d.skipValue(0)
		}
		seen[k] = true
		switch k {
		case "id":
			return d.nonEmpty(name, &c.ID, reasonIDLen)
		case "action":
			return d.nonEmpty(name, &c.Action, reasonAction)
		case "rule":
			return d.nonEmpty(name, &c.Rule, reasonIDLen)
		case "trigger":
			return d.nonEmpty(name, &c.Trigger, reasonIDLen)
		case "source":
			return d.nonEmpty(name, &c.Source, reasonIDLen)
		case "actor":
			return d.nonEmpty(name, &c.Actor, reasonIDLen)
		case "assignee":
			return d.nonEmpty(name, &c.Assignee, reasonIDLen)
		case "note":
			return d.nonEmpty(name, &c.Note, reasonText)
		case "checklist":
			if d.peek() != '{' {
				d.errs.add(name, reasonChecklist)
				return d.skipValue(0)
			}
			c.Checklist = map[string]bool{}
			return d.object(func(item []byte) bool {
				var v bool
				if !d.boolean(name+"."+string(item), &v) {
					return false
				}
				c.Checklist[string(item)] = v
				return true
			})
		case "causes":
			if d.peek() != '[' {
				d.errs.add(name, reasonArray)
				return d.skipValue(0)
			}
			if d.open(']') {
				c.Causes = []string{}
				return true
			}
			for {
				var s string
				if d.peek() != '"' {
					d.errs.add(name, reasonCauses)
					if !d.skipValue(0) {
						return false
					}
				} else if !d.str(name, &s) {
					return false
				} else {
					c.Causes = append(c.Causes, s)
				}
				more, ok := d.next(']')
				if !more {
					return ok
				}
			}
		}
		d.errs.add(unknownName("case.", key), reasonUnknown)
		return d.skipValue(0)
	})
	if !ok {
		return nil
	}
	return c
}

// nonEmpty is str for the closed loop's optional strings: present means non-empty, so the canonical form
// (which leaves empty strings out) reads back the same.
func (d *decoder) nonEmpty(name string, dst *string, reason string) bool {
	ok := d.str(name, dst)
	if ok && *dst == "" {
		d.errs.add(name, reason)
	}
	return ok
}

// boolean reads true or false; ok is false only on a syntax error.
func (d *decoder) boolean(name string, dst *bool) bool {
	switch d.peek() {
	case 't':
		*dst = true
		return d.readLiteral("true")
	case 'f':
		*dst = false
		return d.readLiteral("false")
	}
	d.errs.add(name, reasonBool)
	return d.skipValue(0)
}

// textLen reports whether s has 1..n characters.
func textLen(s string, n int) bool {
	return s != "" && (len(s) <= n || utf8.RuneCountInString(s) <= n)
}

// refOK is the rule of identifiers inside the closed loop's objects: 1..max characters, no control ones.
func refOK(s string, max int) bool { return textLen(s, max) && !hasControl(s) }

// validateMessage applies the message type's rules (kind is checked by the caller).
func validateMessage(m *Message, errs *Errors) {
	if m.Text != "" && !textLen(m.Text, MaxMessageLen) {
		errs.add("message.text", reasonText)
	}
	if m.Contact != "" {
		switch {
		case !refOK(m.Contact, MaxContactLen):
			errs.add("message.contact", reasonContactLen)
		case !m.Consent:
			errs.add("message.consent", reasonConsent)
		}
	}
	if m.Voice != "" && !refOK(m.Voice, MaxRefLen) {
		errs.add("message.voice", reasonRefLen)
	}
	if m.Re != "" && !refOK(m.Re, MaxIDLen) {
		errs.add("message.re", reasonIDLen)
	}
}

// validateCase applies the case type's contract rules: the fields each action needs.
func validateCase(c *Case, errs *Errors) {
	need := func(name, v string) bool {
		if v == "" {
			errs.add("case."+name, reasonRequired)
			return false
		}
		return true
	}
	ref := func(name, v string) {
		if v != "" && !refOK(v, MaxIDLen) {
			errs.add("case."+name, reasonIDLen)
		}
	}
	if need("id", c.ID) {
		ref("id", c.ID)
	}
	if need("action", c.Action) && !caseActions[c.Action] {
		errs.add("case.action", reasonAction)
	}
	for _, f := range []struct{ n, v string }{{"rule", c.Rule}, {"trigger", c.Trigger}, {"source", c.Source},
		{"actor", c.Actor}, {"assignee", c.Assignee}} {
		ref(f.n, f.v)
	}
	switch c.Action {
	case ActionOpen:
		need("rule", c.Rule)
		need("trigger", c.Trigger)
		need("source", c.Source)
	case ActionAssign:
		need("assignee", c.Assignee)
	case ActionComment:
		need("note", c.Note)
	}
	if c.Note != "" && !textLen(c.Note, MaxMessageLen) {
		errs.add("case.note", reasonText)
	}
	if c.Checklist != nil {
		if len(c.Checklist) == 0 || len(c.Checklist) > MaxChecklist {
			errs.add("case.checklist", reasonChecklist)
		}
		for k := range c.Checklist {
			if !refOK(k, MaxIDLen) {
				errs.add("case.checklist", reasonChecklist)
			}
		}
	}
	if c.Causes != nil {
		bad := len(c.Causes) == 0 || len(c.Causes) > MaxCauses
		seen := map[string]bool{}
		for _, s := range c.Causes {
			bad = bad || !refOK(s, MaxIDLen) || seen[s]
			seen[s] = true
		}
		if bad {
			errs.add("case.causes", reasonCauses)
		}
	}
}

// appendMessage writes the message object: only the fields given, in a fixed order.
func appendMessage(b []byte, m *Message) []byte {
	b = append(b, '{')
	sep := func() {
		if b[len(b)-1] != '{' {
			b = append(b, ',')
		}
	}
	for _, f := range [...]struct{ k, v string }{{"text", m.Text}, {"contact", m.Contact}} {
		if f.v != "" {
			sep()
			b = append(b, '"')
			b = append(b, f.k...)
			b = append(b, `":`...)
			b = appendString(b, f.v)
		}
	}
	if m.Consent {
		sep()
		b = append(b, `"consent":true`...)
	}
	for _, f := range [...]struct{ k, v string }{{"voice", m.Voice}, {"re", m.Re}} {
		if f.v != "" {
			sep()
			b = append(b, '"')
			b = append(b, f.k...)
			b = append(b, `":`...)
			b = appendString(b, f.v)
		}
	}
	return append(b, '}')
}

// appendCase writes the case object: id and action, then the fields given, checklist items sorted.
func appendCase(b []byte, c *Case) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, c.ID)
	b = append(b, `,"action":`...)
	b = appendString(b, c.Action)
	for _, f := range [...]struct{ k, v string }{{"rule", c.Rule}, {"trigger", c.Trigger}, {"source", c.Source},
		{"actor", c.Actor}, {"assignee", c.Assignee}, {"note", c.Note}} {
		if f.v != "" {
			b = append(b, `,"`...)
			b = append(b, f.k...)
			b = append(b, `":`...)
			b = appendString(b, f.v)
		}
	}
	if c.Checklist != nil {
		b = append(b, `,"checklist":`...)
		b = AppendChecklist(b, c.Checklist)
	}
	if c.Causes != nil {
		b = append(b, `,"causes":[`...)
		for i, s := range c.Causes {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, s)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// AppendChecklist writes a checklist as a JSON object with its items sorted (the form stored in ClickHouse).
func AppendChecklist(b []byte, cl map[string]bool) []byte {
	keys := make([]string, 0, len(cl))
	for k := range cl {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = strconv.AppendBool(b, cl[k])
	}
	return append(b, '}')
}
