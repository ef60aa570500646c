package config

import (
	"fmt"
	"net/url"
	"regexp"
	"time"

	"github.com/cxm-project/cxm/internal/event"
)

// Reasons are the follow-up answers a press or a survey may carry: one list for happy answers, one for
// the others (a different question follows a 5 and a 1), each code with titles in Russian and English.
type Reasons struct {
	Positive []Reason   `koanf:"positive"`
	Negative []Reason   `koanf:"negative"`
	Alert    ReasonRise `koanf:"alert"`
}

// Reason is one follow-up answer.
type Reason struct {
	Code    string `koanf:"code"`
	TitleRU string `koanf:"title_ru"`
	TitleEN string `koanf:"title_en"`
}

// ReasonRise is the test that flags a reason whose share rose beyond its usual level: the share in the
// range asked for against the share in the Baseline before it, a one-sided two-proportion z-test at
// significance Alpha; a reason is judged only with at least MinN answers in both windows. The status
// evaluator runs it every kpi.evaluate_interval over the last Window (0: not at all).
type ReasonRise struct {
	Window   time.Duration `koanf:"window"`
	Baseline time.Duration `koanf:"baseline"`
	Alpha    float64       `koanf:"alpha"`
	MinN     int64         `koanf:"min_n"`
}

// Breakdown limits the figures per employee and per subject.
type Breakdown struct {
	// MinSample: an employee's or subject's figures are withheld (null, flagged) below this many
	// consultations + receipts, or presses; one unhappy customer must not rank a person.
	MinSample int64 `koanf:"min_sample"`
	// MaskNames replaces seller ids by a stable pseudonym (the same id gives the same mask).
	MaskNames bool `koanf:"mask_names"`
}

// ReviewLink is one review page of a location (locations[].reviews): the thank-you page of a survey
// offers every one to every respondent, through the redirect that records the click.
type ReviewLink struct {
	Platform string `koanf:"platform"` // yandex, 2gis, google, ... (the id in the figures)
	Title    string `koanf:"title"`    // shown on the button; the platform id when empty
	URL      string `koanf:"url"`
}

func reasonsDefaults() map[string]any {
	return map[string]any{
		"reasons.alert.window":   24 * time.Hour,
		"reasons.alert.baseline": 28 * 24 * time.Hour,
		"reasons.alert.alpha":    0.01,
		"reasons.alert.min_n":    20,
		"breakdown.min_sample":   10,
		"breakdown.mask_names":   false,
		"reasons.positive":       []map[string]any{},
		"reasons.negative":       []map[string]any{},
	}
}

var reasonCode = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)

// Lookup returns the reason of the list matching positive, or nil.
func (r *Reasons) Lookup(code string, positive bool) *Reason {
	list := r.Negative
	if positive {
		list = r.Positive
	}
	for i := range list {
		if list[i].Code == code {
			return &list[i]
		}
	}
	return nil
}

// Check says what is wrong with e's reason against the lists ("" when nothing): the ingest reports it as
// an error on the field reason.
func (r *Reasons) Check(e *event.Event) string {
	if e.Reason == "" {
		return ""
	}
	pos, ok := e.Positive()
	if !ok {
		return "needs a rating to follow (a smiley, like or dislike press, or a survey with nps, csat or ces)"
	}
	if r.Lookup(e.Reason, pos) != nil {
		return ""
	}
	list, name := r.Negative, "reasons.negative"
	if pos {
		list, name = r.Positive, "reasons.positive"
	}
	codes := make([]string, len(list))
	for i, x := range list {
		codes[i] = x.Code
	}
	return fmt.Sprintf("must be one of the configured %s %v for this score, not %q", name, codes, e.Reason)
}

func (c *Config) validateReasons(es *Errors) {
	for _, l := range []struct {
		key  string
		list []Reason
	}{{"reasons.positive", c.Reasons.Positive}, {"reasons.negative", c.Reasons.Negative}} {
		seen := map[string]bool{}
		for i, x := range l.list {
			k := fmt.Sprintf("%s[%d]", l.key, i)
			if !reasonCode.MatchString(x.Code) {
				es.add(k+".code", "must be 1 to 32 characters of a-z 0-9 _ -, not %q", x.Code)
			}
			if seen[x.Code] {
				es.add(k+".code", "duplicate code %q", x.Code)
			}
			seen[x.Code] = true
			if x.TitleRU == "" || x.TitleEN == "" {
				es.add(k, "needs title_ru and title_en")
			}
		}
	}
	a := c.Reasons.Alert
	if a.Window < 0 {
		es.add("reasons.alert.window", "must not be negative (0: no evaluation)")
	}
	if a.Baseline < time.Hour {
		es.add("reasons.alert.baseline", "must be at least 1h")
	}
	if a.Alpha <= 0 || a.Alpha >= 0.5 {
		es.add("reasons.alert.alpha", "must be between 0 and 0.5 (exclusive)")
	}
	if a.MinN < 1 {
		es.add("reasons.alert.min_n", "must be at least 1")
	}
	if c.Breakdown.MinSample < 1 {
		es.add("breakdown.min_sample", "must be at least 1")
	}
	for i, l := range c.Locations {
		seen := map[string]bool{}
		for j, r := range l.Reviews {
			k := fmt.Sprintf("locations[%d].reviews[%d]", i, j)
			if !reasonCode.MatchString(r.Platform) {
				es.add(k+".platform", "must be 1 to 32 characters of a-z 0-9 _ -, not %q", r.Platform)
			}
			if seen[r.Platform] {
				es.add(k+".platform", "duplicate platform %q", r.Platform)
			}
			seen[r.Platform] = true
			if u, err := url.Parse(r.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				es.add(k+".url", "must be an absolute http(s) URL, not %q", r.URL)
			}
		}
	}
}

// Review returns the location's review link of the platform, or nil: the redirect follows only these.
func (l *Location) Review(platform string) *ReviewLink {
	for i := range l.Reviews {
		if l.Reviews[i].Platform == platform {
			return &l.Reviews[i]
		}
	}
	return nil
}
