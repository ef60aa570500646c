package survey

import (
	"fmt"
	"math"
	"regexp"
	"slices"

	"github.com/cxm-project/cxm/internal/kpi"
)

// Index types.
const (
	TypeNPS       = "nps"              // NPS on a 0..10 question, with a non-responder policy
	TypeTopBox    = "top_box"          // share of answers at or above min (CSAT top-2 box by default)
	TypeBottomBox = "bottom_box"       // share of answers at or below max
	TypeMean      = "mean"             // mean answer (CES)
	TypeNet       = "net"              // % at or above min − % at or below max (Net Easy)
	TypeCSI       = "csi"              // per respondent: weighted mean of dimension means on 0..100
	TypeServqual  = "servqual"         // per respondent: weighted mean of dimension gaps perception − expectation
	TypeELI       = "eli"              // emotional loyalty index: per-respondent mean on 0..100
	TypeStaff     = "staff_background" // staff emotional background: per-respondent mean on 0..100
	TypeScore     = "score"            // per-respondent mean on 0..100 over chosen questions (factor)
)

// NPS non-responder policies of an index.
const (
	PolicyRespondents = "respondents" // silent ignored
	PolicyDetractors  = "detractors"  // silent counted as detractors
	PolicyPassives    = "passives"    // silent counted as passives (dilute the score)
	PolicySpread      = "spread"      // silent assumed to answer like the respondents: the score stays
)

// Who counts as silent for the NPS policies.
const (
	SilentSubmissions = "submissions" // submissions of the survey without an answer to the question
	SilentReceipts    = "receipts"    // net POS receipts (receipts that carry the QR code) without an answer
)

// Index is one index of the configuration's indices:, registered as a KPI under Name.
type Index struct {
	Name   string `koanf:"name"`
	Title  Text   `koanf:"title"`
	Type   string `koanf:"type"`
	Survey string `koanf:"survey"`
	// Questions the index reads. Several questions make a factor indicator: their answers are pooled
	// (counts) or averaged per respondent (scores). Empty for csi / servqual: every question with a
	// dimension (csi) or a pairing (servqual).
	Questions []string `koanf:"questions"`
	Policy    string   `koanf:"policy"` // nps
	Silent    string   `koanf:"silent"` // nps: submissions (default) | receipts
	// Min and Max bound the boxes: top_box counts answers >= min, bottom_box <= max, net both.
	Min *int `koanf:"min"`
	Max *int `koanf:"max"`
	// Dimensions weigh the dimensions of csi and servqual (importance); a dimension left out weighs 1.
	Dimensions []Dimension `koanf:"dimensions"`
}

// Dimension is one dimension's title and weight in an index.
type Dimension struct {
	ID     string  `koanf:"id"`
	Title  Text    `koanf:"title"`
	Weight float64 `koanf:"weight"`
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// compiled is an index resolved against its survey.
type compiled struct {
	*Index
	survey *Survey
	qs     []*Question
	lo, hi int // the common answer range of qs (count indices) or of the paired items (servqual)
	dims   []dim
	min    int // top_box, net
	max    int // bottom_box, net
}

type dim struct {
	id     string
	title  Text
	weight float64
	qs     []*Question // csi: the dimension's questions; servqual: its perception questions
}

func (ix *compiled) perRespondent() bool {
	switch ix.Type {
	case TypeCSI, TypeServqual, TypeELI, TypeStaff, TypeScore:
		return true
	}
	return false
}

// compile checks an index against the surveys and resolves it.
func compile(ix *Index, key string, surveys map[string]*Survey, es *errs) *compiled {
	n := len(*es)
	if !nameRE.MatchString(ix.Name) {
		es.add(key+".name", "must be 1 to 64 characters of a-z 0-9 _, starting with a letter; got %q", ix.Name)
	}
	s := surveys[ix.Survey]
	if s == nil {
		es.add(key+".survey", "unknown survey %q", ix.Survey)
		return nil
	}
	c := &compiled{Index: ix, survey: s}
	for _, id := range ix.Questions {
		q := s.Question(id)
		if q == nil {
			es.add(key+".questions", "survey %s has no question %q", s.ID, id)
			continue
		}
		c.qs = append(c.qs, q)
	}
	numeric := func(what string) {
		if len(ix.Questions) == 0 {
			es.add(key+".questions", "%s needs at least one question", ix.Type)
			return
		}
		for i, q := range c.qs {
			lo, hi, ok := q.Range()
			if !ok {
				es.add(key+".questions", "%s: question %s is %s, not a numeric question", ix.Type, q.ID, q.Type)
				return
			}
			if i == 0 {
				c.lo, c.hi = lo, hi
			} else if lo != c.lo || hi != c.hi {
				es.add(key+".questions", "%s pools answers: question %s is %s, the others %s", what, q.ID, rangeText(lo, hi), rangeText(c.lo, c.hi))
			}
		}
	}
	if ix.Type != TypeNPS && (ix.Policy != "" || ix.Silent != "") {
		es.add(key+".policy", "only an nps index has a non-responder policy")
	}
	if ix.Type != TypeTopBox && ix.Type != TypeNet && ix.Min != nil {
		es.add(key+".min", "only top_box and net have min")
	}
	if ix.Type != TypeBottomBox && ix.Type != TypeNet && ix.Max != nil {
		es.add(key+".max", "only bottom_box and net have max")
	}
	switch ix.Type {
	case TypeNPS:
		numeric("nps")
		if len(c.qs) > 0 && (c.qs[0].Type != Scale || len(c.qs) != 1) {
			es.add(key+".questions", "nps reads exactly one scale (0..10) question")
		}
		switch ix.Policy {
		case "", PolicyRespondents, PolicyDetractors, PolicyPassives, PolicySpread:
		default:
			es.add(key+".policy", "must be respondents, detractors, passives or spread, not %q", ix.Policy)
		}
		switch ix.Silent {
		case "", SilentSubmissions, SilentReceipts:
		default:
			es.add(key+".silent", "must be submissions or receipts, not %q", ix.Silent)
		}
	case TypeTopBox, TypeBottomBox, TypeMean, TypeNet:
		numeric(ix.Type)
		c.min, c.max = c.hi-1, c.lo+1
		if len(c.qs) > 0 && c.qs[0].Type == YesNo {
			c.min, c.max = 1, 0
		}
		if ix.Type == TypeNet {
			if len(c.qs) > 0 && c.qs[0].Type == CES {
				c.min, c.max = 5, 3 // Net Easy: 5..7 easy, 1..3 difficult
			} else if ix.Min == nil || ix.Max == nil {
				es.add(key, "net needs min and max (only a ces question has defaults: 5 and 3)")
			}
		}
		if ix.Min != nil {
			c.min = *ix.Min
		}
		if ix.Max != nil {
			c.max = *ix.Max
		}
		if ix.Type == TypeNet && c.max >= c.min {
			es.add(key+".max", "must be below min (%d): an answer cannot be both", c.min)
		}
	case TypeCSI, TypeServqual:
		if len(ix.Questions) == 0 {
			for i := range s.Questions {
				q := &s.Questions[i]
				if ix.Type == TypeCSI && q.Dimension != "" && q.Pair == "" || ix.Type == TypeServqual && q.Pair == Perception {
					c.qs = append(c.qs, q)
				}
			}
		}
		var order []string
		byDim := map[string][]*Question{}
		for _, q := range c.qs {
			if q.Dimension == "" || !q.Numeric() {
				es.add(key+".questions", "%s: question %s has no dimension or is not numeric", ix.Type, q.ID)
				continue
			}
			if ix.Type == TypeServqual && q.Pair != Perception {
				if q.Pair == Expectation {
					continue // the perception question names the pair
				}
				es.add(key+".questions", "servqual: question %s is not paired (pair: expectation|perception)", q.ID)
				continue
			}
			if _, ok := byDim[q.Dimension]; !ok {
				order = append(order, q.Dimension)
			}
			byDim[q.Dimension] = append(byDim[q.Dimension], q)
		}
		if len(order) == 0 {
			es.add(key+".questions", "%s needs questions with a dimension%s", ix.Type, map[bool]string{true: " and an expectation/perception pairing"}[ix.Type == TypeServqual])
		}
		for i, d := range ix.Dimensions {
			if _, ok := byDim[d.ID]; !ok {
				es.add(fmt.Sprintf("%s.dimensions[%d].id", key, i), "no question of the index has dimension %q", d.ID)
			}
			if d.Weight < 0 || math.IsNaN(d.Weight) || math.IsInf(d.Weight, 0) {
				es.add(fmt.Sprintf("%s.dimensions[%d].weight", key, i), "must be 0 (= 1) or positive")
			}
		}
		for _, id := range order {
			d := dim{id: id, weight: 1, qs: byDim[id]}
			for _, cd := range ix.Dimensions {
				if cd.ID == id {
					d.title = cd.Title
					if cd.Weight > 0 {
						d.weight = cd.Weight
					}
				}
			}
			if !nameRE.MatchString(ix.Name + "_" + id) {
				es.add(key+".dimensions", "dimension %q does not make a KPI name %s_%s of a-z 0-9 _", id, ix.Name, id)
			}
			c.dims = append(c.dims, d)
		}
		if ix.Type == TypeServqual && len(c.qs) > 0 {
			c.lo, c.hi, _ = c.qs[0].Range()
			for _, q := range c.qs[1:] {
				if lo, hi, _ := q.Range(); lo != c.lo || hi != c.hi {
					es.add(key+".questions", "servqual: every item must be on one range, %s is %s", q.ID, rangeText(lo, hi))
				}
			}
		}
	case TypeELI, TypeStaff, TypeScore:
		if len(c.qs) == 0 {
			es.add(key+".questions", "%s needs at least one question", ix.Type)
		}
		for _, q := range c.qs {
			if !q.Numeric() {
				es.add(key+".questions", "%s: question %s is %s, not a numeric question", ix.Type, q.ID, q.Type)
			}
		}
		if ix.Type == TypeStaff && s.Audience != Staff {
			es.add(key+".survey", "staff_background reads a survey whose audience is staff; %s is %s", s.ID, s.Audience)
		}
	default:
		es.add(key+".type", "must be one of nps, top_box, bottom_box, mean, net, csi, servqual, eli, staff_background, score; got %q", ix.Type)
	}
	if len(*es) > n {
		return nil
	}
	return c
}

// --- per-respondent scores ---

// rescale puts an answer on 0..100.
func rescale(q *Question, v int) float64 {
	lo, hi, _ := q.Range()
	return 100 * float64(v-lo) / float64(hi-lo)
}

// answer is q's numeric answer in the answers a (ok false when absent).
type lookup func(id string) (int, bool)

// score computes the respondent's scores: the overall one (ok false when the respondent answered none of
// the index's questions) and one per dimension (NaN where the dimension has no answer).
func (ix *compiled) score(get lookup) (overall float64, perDim []float64, ok bool) {
	switch ix.Type {
	case TypeCSI, TypeServqual:
		perDim = make([]float64, len(ix.dims))
		var sw, s float64
		for i, d := range ix.dims {
			var qw, qs float64
			for _, q := range d.qs {
				if ix.Type == TypeCSI {
					if v, ok := get(q.ID); ok {
						qw += q.weight()
						qs += q.weight() * rescale(q, v)
					}
					continue
				}
				e := ix.survey.expectationOf(q)
				pv, okP := get(q.ID)
				ev, okE := 0, false
				if e != nil {
					ev, okE = get(e.ID)
				}
				if okP && okE {
					qw += q.weight()
					qs += q.weight() * float64(pv-ev)
				}
			}
			if qw == 0 {
				perDim[i] = math.NaN()
				continue
			}
			perDim[i] = qs / qw
			sw += d.weight
			s += d.weight * perDim[i]
		}
		if sw == 0 {
			return 0, perDim, false
		}
		return s / sw, perDim, true
	default:
		var w, s float64
		for _, q := range ix.qs {
			if v, ok := get(q.ID); ok {
				w += q.weight()
				s += q.weight() * rescale(q, v)
			}
		}
		if w == 0 {
			return 0, nil, false
		}
		return s / w, nil, true
	}
}

func (s *Survey) expectationOf(p *Question) *Question {
	for i := range s.Questions {
		q := &s.Questions[i]
		if q.Pair == Expectation && q.Item == p.Item {
			return q
		}
	}
	return nil
}

// milli is a score in thousandths, the unit of the stored sums (exact integers, so sums of any range are
// exact; a score is rounded to 0.001 once, per respondent).
func milli(x float64) int64 { return int64(math.Round(x * 1000)) }

// --- formulas ---

// scoreItem is the item a per-respondent score is stored under.
func scoreItem(index, dimension string) string {
	if dimension == "" {
		return "@" + index
	}
	return "@" + index + "/" + dimension
}

// defs are the KPIs of the index: itself, and for csi and servqual one per dimension.
func (ix *compiled) defs() []kpi.Def {
	title := ix.Title
	if title.EN == "" && title.RU == "" {
		title = Text{EN: ix.Name, RU: ix.Name}
	}
	meta := kpi.Meta{Name: ix.Name, Title: title.In("en"), TitleRU: title.In("ru"), Unit: "none", Decimals: 1, HigherIsBetter: true, HasRange: true}
	sv := []string{ix.survey.ID}
	// Needs "surveys" (every survey's submissions) so the engine's component statement is never empty.
	d := kpi.Def{Meta: meta, Surveys: sv, Needs: []string{"surveys"}}
	s := ix.survey.ID
	switch ix.Type {
	case TypeNPS:
		d.Min, d.Max, d.Interval = -100, 100, "adjusted Wald"
		if ix.Silent == SilentReceipts {
			d.Needs = []string{"surveys", "receipts", "refunds"}
		}
		d.Formula = func(c *kpi.Components, _ kpi.Options) kpi.Value { return ix.nps(c) }
	case TypeTopBox, TypeBottomBox:
		d.Unit, d.Min, d.Max, d.Interval = "percent", 0, 100, "Wilson"
		d.HigherIsBetter = ix.Type == TypeTopBox
		d.Formula = func(c *kpi.Components, _ kpi.Options) kpi.Value {
			var k, n int64
			for _, q := range ix.qs {
				for v := ix.lo; v <= ix.hi; v++ {
					x := c.Survey.Get(kpi.SurveyKey{Survey: s, Item: q.ID, Value: int32(v)}).N
					n += x
					if ix.Type == TypeTopBox && v >= ix.min || ix.Type == TypeBottomBox && v <= ix.max {
						k += x
					}
				}
			}
			return kpi.Proportion(k, n)
		}
	case TypeMean:
		d.Min, d.Max, d.Decimals, d.Interval = float64(ix.lo), float64(ix.hi), 2, "normal (mean ± z·s/√N)"
		d.Formula = func(c *kpi.Components, _ kpi.Options) kpi.Value {
			var sum, sumsq float64
			var n int64
			for _, q := range ix.qs {
				for v := ix.lo; v <= ix.hi; v++ {
					x := c.Survey.Get(kpi.SurveyKey{Survey: s, Item: q.ID, Value: int32(v)}).N
					n += x
					sum += float64(x) * float64(v)
					sumsq += float64(x) * float64(v) * float64(v)
				}
			}
			return kpi.Mean(sum, sumsq, n, 1, float64(ix.lo), float64(ix.hi))
		}
	case TypeNet:
		d.Min, d.Max, d.Interval = -100, 100, "adjusted Wald"
		d.Formula = func(c *kpi.Components, _ kpi.Options) kpi.Value {
			var p, m, n int64
			for _, q := range ix.qs {
				for v := ix.lo; v <= ix.hi; v++ {
					x := c.Survey.Get(kpi.SurveyKey{Survey: s, Item: q.ID, Value: int32(v)}).N
					n += x
					if v >= ix.min {
						p += x
					}
					if v <= ix.max {
						m += x
					}
				}
			}
			return kpi.Net(p, m, n)
		}
	default: // per-respondent scores
		lo, hi := 0.0, 100.0
		if ix.Type == TypeServqual {
			lo, hi = -float64(ix.hi-ix.lo), float64(ix.hi-ix.lo)
			d.Decimals = 2
		}
		d.Min, d.Max, d.Interval = lo, hi, "normal (mean ± z·s/√N)"
		d.Formula = scoreFormula(s, scoreItem(ix.Name, ""), lo, hi)
		out := []kpi.Def{d}
		for _, dm := range ix.dims {
			dd := d
			dd.Name = ix.Name + "_" + dm.id
			t := dm.title
			if t.EN == "" && t.RU == "" {
				t = Text{EN: dm.id, RU: dm.id}
			}
			dd.Title, dd.TitleRU = d.Title+": "+t.In("en"), d.TitleRU+": "+t.In("ru")
			dd.Formula = scoreFormula(s, scoreItem(ix.Name, dm.id), lo, hi)
			out = append(out, dd)
		}
		return out
	}
	return []kpi.Def{d}
}

func scoreFormula(survey, item string, lo, hi float64) func(*kpi.Components, kpi.Options) kpi.Value {
	k := kpi.SurveyKey{Survey: survey, Item: item}
	return func(c *kpi.Components, _ kpi.Options) kpi.Value {
		x := c.Survey.Get(k)
		return kpi.Mean(float64(x.Sum)/1e3, float64(x.SumSq)/1e6, x.N, 1, lo, hi)
	}
}

// nps applies the index's non-responder policy.
func (ix *compiled) nps(c *kpi.Components) kpi.Value {
	s, q := ix.survey.ID, ix.qs[0].ID
	var p, pa, d int64
	for v := 0; v <= 10; v++ {
		x := c.Survey.Get(kpi.SurveyKey{Survey: s, Item: q, Value: int32(v)}).N
		switch {
		case v >= 9:
			p += x
		case v >= 7:
			pa += x
		default:
			d += x
		}
	}
	n := p + pa + d
	var invited int64
	if ix.Silent == SilentReceipts {
		invited = c.Receipts - c.Refunds
	} else {
		invited = c.Survey.Get(kpi.SurveyKey{Survey: s}).N
	}
	silent := max(0, invited-n)
	switch ix.Policy {
	case PolicyDetractors:
		d, n = d+silent, n+silent
	case PolicyPassives:
		n += silent
	}
	return kpi.Net(p, d, n)
}

// Dims returns the dimension KPI names of an index (csi, servqual), for listings.
func (ix *compiled) dimNames() []string {
	var out []string
	for _, d := range ix.dims {
		out = append(out, ix.Name+"_"+d.id)
	}
	return slices.Clip(out)
}
