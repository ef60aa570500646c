// Package rules holds the checks an event must pass beyond the contract: its location is registered and its
// time is plausible. The API, the surveys and the importer apply the same rules.
package rules

import (
	"time"

	"github.com/cxm-project/cxm/internal/cases"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/survey"
)

// Rules checks events against the location registry and the time bounds.
type Rules struct {
	locations map[string]*config.Location
	maxFuture time.Duration
	maxPast   time.Duration
	cases     *config.Cases
	reasons   *config.Reasons
	audits    *config.Audits
}

// New builds the rules of the config.
func New(cfg *config.Config) *Rules {
	r := &Rules{locations: map[string]*config.Location{}, maxFuture: cfg.Ingest.MaxFuture, maxPast: cfg.Ingest.MaxPast,
		cases: &cfg.Cases, reasons: &cfg.Reasons, audits: &cfg.Audits}
	for i := range cfg.Locations {
		r.locations[cfg.Locations[i].ID] = &cfg.Locations[i]
	}
	return r
}

// Location returns the registered location, or nil.
func (r *Rules) Location(id string) *config.Location { return r.locations[id] }

// Check returns the rules e breaks at now (the receive time), or nil.
func (r *Rules) Check(e *event.Event, now time.Time) event.Errors {
	var errs event.Errors
	if r.locations[e.Location] == nil {
		errs = append(errs, event.FieldError{Field: "location", Reason: "unknown location: not in the location registry"})
	}
	if e.Time.After(now.Add(r.maxFuture)) {
		errs = append(errs, event.FieldError{Field: "time", Reason: "more than " + human(r.maxFuture) + " in the future (ingest.max_future)"})
	} else if e.Time.Before(now.Add(-r.maxPast)) {
		errs = append(errs, event.FieldError{Field: "time", Reason: "more than " + human(r.maxPast) + " in the past (ingest.max_past)"})
	}
	errs = append(errs, cases.Validate(r.cases, e)...) // a case action's qualification (internal/cases)
	if e.Type == event.TypeSurvey {
		// Answers to configured questionnaires are checked against their definition (internal/survey).
		errs = append(errs, survey.Active().Check(e)...)
	}
	errs = append(errs, r.checkWhy(e)...)
	if errs == nil {
		errs = r.checkAudit(e) // stamps the template into a valid audit
	}
	return errs
}

// human writes 168h as "7d" and 10m0s as "10m", the way the config is usually written.
func human(d time.Duration) string {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return itoa(int64(d/(24*time.Hour))) + "d"
	case d >= time.Hour && d%time.Hour == 0:
		return itoa(int64(d/time.Hour)) + "h"
	case d >= time.Minute && d%time.Minute == 0:
		return itoa(int64(d/time.Minute)) + "m"
	}
	return d.String()
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
