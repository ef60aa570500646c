package simulate

import (
	"math"
	"time"

	"github.com/cxm-project/cxm/internal/event"
)

// withReason gives about half of the presses and answers a follow-up reason from the configured list
// matching the score (Profile.Reasons; none when nil), the first reasons of a list more often than the
// last (a Pareto is what real reasons look like).
func (g *Generator) withReason(p *Profile, e *event.Event) {
	if p.Reasons == nil || g.rng.Float64() < 0.5 {
		return
	}
	pos, ok := e.Positive()
	if !ok {
		return
	}
	list := p.Reasons.Negative
	if pos {
		list = p.Reasons.Positive
	}
	if len(list) == 0 {
		return
	}
	i := min(len(list)-1, int(math.Floor(g.rng.ExpFloat64())))
	e.Reason = list[i].Code
}

// handoff is what a survey's thank-you page records: each review page of the location shown, and now and
// then a click on one (happy respondents click more).
func (g *Generator) handoff(out []event.Event, p *Profile, survey *event.Event) []event.Event {
	if p.Reasons == nil {
		return out
	}
	happy, _ := survey.Positive()
	rate := 0.04
	if happy {
		rate = 0.2
	}
	for _, r := range p.Location.Reviews {
		e := g.base(p, survey.Time.Add(time.Second), event.TypeReview, "web")
		e.Kind, e.Platform, e.Survey = event.KindShown, r.Platform, survey.Survey
		out = append(out, e)
		if g.rng.Float64() < rate {
			c := g.base(p, survey.Time.Add(20*time.Second), event.TypeReview, "web")
			c.Kind, c.Platform, c.Survey = event.KindClick, r.Platform, survey.Survey
			out = append(out, c)
		}
	}
	return out
}
