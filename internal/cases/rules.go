// Package cases is the closed loop's logic that is not storage: the rules that open a case from an event
// (rules.go), the engine that applies them to the events topic and produces the case events (engine.go),
// and the qualification checks an action must pass at ingest (qualify.go).
package cases

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
)

// ID is the case a rule opens for a triggering event: a hash of both, so reading the event again (a
// replay, a restarted engine, a second engine) gives the same id and the same open event, which the
// processor's dedupe drops; and the case state, grouped by id, could not split even if it did not.
func ID(rule, trigger string) string {
	h := sha256.Sum256([]byte(rule + "\x00" + trigger))
	return "case-" + hex.EncodeToString(h[:16])
}

// OpenEventID is the id of a case's open event.
func OpenEventID(caseID string) string { return caseID + ":open" }

// Device is the device name of the events the engine produces.
const Device = "cxm-cases"

// Rules applies the configured rules to events one at a time. It remembers each location's recent low
// smileys for the rule kind low_smiley_then_message; it is not safe for concurrent use.
type Rules struct {
	cfg  *config.Cases
	lows map[string][]time.Time // location -> event times of low smileys, oldest first
	// lowMax is the highest smiley value any rule counts as low (0: no rule needs them).
	lowMax int
}

// NewRules returns the rules of cfg.
func NewRules(cfg *config.Cases) *Rules {
	r := &Rules{cfg: cfg, lows: map[string][]time.Time{}}
	for _, rule := range cfg.Rules {
		if rule.Kind == config.RuleLowSmileyThenMessage {
			r.lowMax = max(r.lowMax, rule.Max)
		}
	}
	return r
}

// Apply feeds one event to the rules and returns the open event of the case it triggers, if any.
// Events the ingest flagged as misuse, and the engine's own case events, never trigger.
func (r *Rules) Apply(e *event.Event) (event.Event, bool) {
	if e.Misuse != "" || e.Type == event.TypeCase {
		return event.Event{}, false
	}
	if e.Type == event.TypeButton && e.Kind == event.KindSmiley && r.lowMax > 0 && e.Value <= r.lowMax {
		r.rememberLow(e.Location, e.Time)
		return event.Event{}, false
	}
	for i := range r.cfg.Rules {
		rule := &r.cfg.Rules[i]
		if r.matches(rule, e) {
			id := ID(rule.ID, e.ID)
			return event.Event{ID: OpenEventID(id), Type: event.TypeCase, Location: e.Location, Device: Device,
				Time: e.Time, Case: &event.Case{ID: id, Action: event.ActionOpen, Rule: rule.ID, Trigger: e.ID,
					Source: string(e.Type)}}, true
		}
	}
	return event.Event{}, false
}

func (r *Rules) matches(rule *config.CaseRule, e *event.Event) bool {
	switch rule.Kind {
	case config.RuleMessage:
		kinds := rule.Messages
		if len(kinds) == 0 {
			kinds = []string{event.KindComplaint}
		}
		return e.Type == event.TypeMessage && slices.Contains(kinds, e.Kind)
	case config.RuleLowSmileyThenMessage:
		if e.Type != event.TypeMessage {
			return false
		}
		for _, t := range r.lows[e.Location] {
			if !t.After(e.Time) && e.Time.Sub(t) <= r.cfg.Window {
				return true
			}
		}
		return false
	case config.RuleNPS, config.RuleCSAT:
		a := e.Answers
		if e.Type != event.TypeSurvey || a == nil || rule.Comment && a.Comment == "" {
			return false
		}
		p := a.NPS
		if rule.Kind == config.RuleCSAT {
			p = a.CSAT
		}
		return p != nil && *p <= rule.Max
	case config.RuleContactMe:
		switch e.Type {
		case event.TypeMessage:
			return e.Message != nil && e.Message.Contact != ""
		case event.TypeSurvey:
			var ext struct {
				ContactMe bool `json:"contact_me"`
			}
			return len(e.Ext) > 0 && json.Unmarshal(e.Ext, &ext) == nil && ext.ContactMe
		}
	case config.RuleAuditCritical:
		// Audits are issue 17's event type; once it exists this rule matches an audit whose failed
		// elements include a critical one. Until then no event is an audit.
		return false
	}
	return false
}

// rememberLow keeps a location's low smileys of the last window (event time) before the newest.
func (r *Rules) rememberLow(loc string, t time.Time) {
	ts := append(r.lows[loc], t)
	slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
	newest := ts[len(ts)-1]
	i := 0
	for i < len(ts) && newest.Sub(ts[i]) > r.cfg.Window {
		i++
	}
	r.lows[loc] = ts[i:]
}
