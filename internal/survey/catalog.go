package survey

import (
	"fmt"
	"sync/atomic"

	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kpi"
)

// Catalog is the configured questionnaires and indices, checked and resolved.
type Catalog struct {
	Surveys []*Survey
	byID    map[string]*Survey
	indices []*compiled
	// scoring are the per-respondent indices of each survey.
	scoring map[string][]*compiled
}

// Build checks the surveys: and indices: sections and resolves them. The errors name the configuration
// keys (surveys[1].questions[4].max).
func Build(surveys []Survey, indices []Index) (*Catalog, []FieldError) {
	var es errs
	checkSurveys(surveys, &es)
	c := &Catalog{byID: map[string]*Survey{}, scoring: map[string][]*compiled{}}
	for i := range surveys {
		s := &surveys[i]
		c.Surveys = append(c.Surveys, s)
		c.byID[s.ID] = s
	}
	names := map[string]bool{}
	for i := range indices {
		key := fmt.Sprintf("indices[%d]", i)
		ix := compile(&indices[i], key, c.byID, &es)
		if ix == nil {
			continue
		}
		for _, n := range append([]string{ix.Name}, ix.dimNames()...) {
			if names[n] || kpi.Known(n) && !isConfigured(n) {
				es.add(key+".name", "KPI %q exists already", n)
			}
			names[n] = true
		}
		c.indices = append(c.indices, ix)
		if ix.perRespondent() {
			c.scoring[ix.survey.ID] = append(c.scoring[ix.survey.ID], ix)
		}
	}
	if len(es) > 0 {
		return nil, es
	}
	return c, nil
}

func isConfigured(name string) bool {
	d, ok := kpi.Builtin.Lookup(name)
	return ok && d.Configured
}

// Survey returns the questionnaire id (nil when not configured).
func (c *Catalog) Survey(id string) *Survey {
	if c == nil {
		return nil
	}
	return c.byID[id]
}

// Defs are the KPIs of every index, in configuration order.
func (c *Catalog) Defs() []kpi.Def {
	var out []kpi.Def
	for _, ix := range c.indices {
		out = append(out, ix.defs()...)
	}
	return out
}

// Check checks a survey event against its questionnaire when the survey is configured. Configured
// answers to a survey that is not configured are unknown fields, as in contract v1.
func (c *Catalog) Check(e *event.Event) event.Errors {
	if e.Type != event.TypeSurvey || e.Answers == nil {
		return nil
	}
	s := c.Survey(e.Survey)
	if s == nil {
		var out event.Errors
		for _, it := range e.Answers.Items {
			out = append(out, event.FieldError{Field: "answers." + it.Key, Reason: "unknown field: survey " + e.Survey + " is not configured (surveys:)"})
		}
		return out
	}
	return CheckAnswers(s, e.Answers)
}

// Feed adds a counted survey event's components: the submission, the answers per question and value
// (each code of a multiple choice), and the scores of the survey's per-respondent indices. Events of
// surveys that are not configured add nothing here (the v1 KPIs count them).
func (c *Catalog) Feed(e *event.Event, add func(kpi.SurveyKey, kpi.Sums)) {
	if c == nil || e.Type != event.TypeSurvey {
		return
	}
	s := c.byID[e.Survey]
	if s == nil {
		return
	}
	add(kpi.SurveyKey{Survey: s.ID}, kpi.Sums{N: 1})
	a := e.Answers
	if a == nil {
		return
	}
	for i := range a.Items {
		it := &a.Items[i]
		switch it.Kind {
		case event.ItemInt:
			add(kpi.SurveyKey{Survey: s.ID, Item: it.Key, Value: int32(it.Int)}, kpi.Sums{N: 1})
		case event.ItemCodes:
			for _, v := range it.Codes {
				add(kpi.SurveyKey{Survey: s.ID, Item: it.Key, Value: int32(v)}, kpi.Sums{N: 1})
			}
		}
	}
	get := func(id string) (int, bool) {
		if it := a.Item(id); it != nil && it.Kind == event.ItemInt {
			return it.Int, true
		}
		return 0, false
	}
	for _, ix := range c.scoring[s.ID] {
		overall, dims, ok := ix.score(get)
		if !ok {
			continue
		}
		m := milli(overall)
		add(kpi.SurveyKey{Survey: s.ID, Item: scoreItem(ix.Name, "")}, kpi.Sums{N: 1, Sum: m, SumSq: m * m})
		for j, d := range ix.dims {
			if dims[j] != dims[j] { // NaN: no answer in the dimension
				continue
			}
			m := milli(dims[j])
			add(kpi.SurveyKey{Survey: s.ID, Item: scoreItem(ix.Name, d.id)}, kpi.Sums{N: 1, Sum: m, SumSq: m * m})
		}
	}
}

var active atomic.Pointer[Catalog]

// Active is the catalog installed at start-up (nil when none is configured).
func Active() *Catalog { return active.Load() }

// Install makes c the active catalog and registers its indices as KPIs of kpi.Builtin (replacing those
// of a previous Install). nil uninstalls.
func Install(c *Catalog) error {
	var defs []kpi.Def
	if c != nil {
		defs = c.Defs()
	}
	if err := kpi.Builtin.SetConfigured(defs); err != nil {
		return err
	}
	active.Store(c)
	return nil
}
