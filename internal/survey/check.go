package survey

import (
	"fmt"
	"math"

	"github.com/cxm-project/cxm/internal/event"
)

// checkSurveys validates the surveys: section.
func checkSurveys(ss []Survey, es *errs) {
	ids := map[string]bool{}
	for i := range ss {
		s := &ss[i]
		key := fmt.Sprintf("surveys[%d]", i)
		switch {
		case s.ID == "":
			es.add(key+".id", "required")
		case len(s.ID) > event.MaxIDLen || !event.ValidItemKey(s.ID) && !validSurveyID(s.ID):
			es.add(key+".id", "must be 1 to 128 characters of a-z 0-9 _ - (got %q)", s.ID)
		case ids[s.ID]:
			es.add(key+".id", "survey %q defined twice", s.ID)
		}
		ids[s.ID] = true
		if s.Audience == "" {
			s.Audience = Customers
		}
		if s.Audience != Customers && s.Audience != Staff {
			es.add(key+".audience", "must be customers or staff, not %q", s.Audience)
		}
		if s.Title.EN == "" && s.Title.RU == "" {
			es.add(key+".title", "required (en and/or ru)")
		}
		if len(s.Questions) == 0 {
			es.add(key+".questions", "at least one question is required")
		}
		if len(s.Questions) > event.MaxAnswerItems {
			es.add(key+".questions", "at most %d questions (contract v2's answers per event)", event.MaxAnswerItems)
		}
		qids := map[string]int{}
		for j := range s.Questions {
			q := &s.Questions[j]
			qk := fmt.Sprintf("%s.questions[%d]", key, j)
			switch {
			case q.ID == "":
				es.add(qk+".id", "required")
			case !event.ValidItemKey(q.ID):
				es.add(qk+".id", "must be 1 to 32 characters of a-z 0-9 _, starting with a letter, and not q followed by digits only (reserved for the maturity assessment); got %q", q.ID)
			case q.ID == "nps" || q.ID == "csat" || q.ID == "ces" || q.ID == "comment":
				es.add(qk+".id", "%q is a v1 answer key with its own meaning; name the question differently", q.ID)
			default:
				if _, dup := qids[q.ID]; dup {
					es.add(qk+".id", "question %q defined twice", q.ID)
				}
			}
			qids[q.ID] = j
			if q.Text.EN == "" && q.Text.RU == "" {
				es.add(qk+".text", "required (en and/or ru)")
			}
			switch q.Type {
			case Scale, CES, YesNo, FreeText:
			case Rating:
				if q.Max < 2 || q.Max > 11 {
					es.add(qk+".max", "a rating is 1..max with max 2..11, got %d", q.Max)
				}
			case Single, Multiple:
				if len(q.Options) < 2 {
					es.add(qk+".options", "a choice needs at least 2 options")
				}
				codes := map[int]bool{}
				for k, o := range q.Options {
					if codes[o.Code] {
						es.add(fmt.Sprintf("%s.options[%d].code", qk, k), "code %d used twice", o.Code)
					}
					codes[o.Code] = true
					if o.Code < math.MinInt32 || o.Code > math.MaxInt32 {
						es.add(fmt.Sprintf("%s.options[%d].code", qk, k), "must fit 32 bits")
					}
					if o.Text.EN == "" && o.Text.RU == "" {
						es.add(fmt.Sprintf("%s.options[%d].text", qk, k), "required (en and/or ru)")
					}
				}
			default:
				es.add(qk+".type", "must be one of scale (0..10), rating (1..max), ces (1..7), yes_no, single, multiple, text; got %q", q.Type)
			}
			if q.Type != Rating && q.Max != 0 {
				es.add(qk+".max", "only a rating has max")
			}
			if q.Type != Single && q.Type != Multiple && len(q.Options) > 0 {
				es.add(qk+".options", "only single and multiple choice questions have options")
			}
			if q.Weight < 0 || math.IsNaN(q.Weight) || math.IsInf(q.Weight, 0) {
				es.add(qk+".weight", "must be 0 (= 1) or positive")
			}
			if (q.Dimension != "" || q.Pair != "") && !q.Numeric() {
				es.add(qk+".dimension", "only scale, rating, ces and yes_no questions belong to a dimension or a pair")
			}
			switch q.Pair {
			case "":
			case Expectation, Perception:
				if q.Item == "" {
					es.add(qk+".item", "a paired question names the item its expectation and perception share")
				}
				if q.Dimension == "" {
					es.add(qk+".dimension", "a paired question needs a dimension")
				}
			default:
				es.add(qk+".pair", "must be expectation or perception, not %q", q.Pair)
			}
			if c := q.ShowIf; c != nil {
				src, ok := qids[c.Question]
				switch {
				case !ok || src == j:
					es.add(qk+".show_if.question", "must name a question before this one, not %q", c.Question)
				case s.Questions[src].Type == FreeText:
					es.add(qk+".show_if.question", "a free-text answer has no range")
				case c.Min > c.Max:
					es.add(qk+".show_if", "min %d is above max %d", c.Min, c.Max)
				}
			}
		}
		// Paired items: each item has exactly one expectation and one perception, on the same range.
		type pair struct{ e, p *Question }
		pairs := map[string]*pair{}
		for j := range s.Questions {
			q := &s.Questions[j]
			if q.Pair == "" || q.Item == "" {
				continue
			}
			p := pairs[q.Item]
			if p == nil {
				p = &pair{}
				pairs[q.Item] = p
			}
			slot := &p.e
			if q.Pair == Perception {
				slot = &p.p
			}
			if *slot != nil {
				es.add(fmt.Sprintf("%s.questions[%d].item", key, j), "item %q has two %s questions", q.Item, q.Pair)
			}
			*slot = q
		}
		for item, p := range pairs {
			if p.e == nil || p.p == nil {
				es.add(key+".questions", "item %q needs both an expectation and a perception question", item)
				continue
			}
			elo, ehi, _ := p.e.Range()
			plo, phi, _ := p.p.Range()
			if elo != plo || ehi != phi || p.e.Dimension != p.p.Dimension {
				es.add(key+".questions", "the expectation and perception of item %q must share range and dimension", item)
			}
		}
	}
}

func validSurveyID(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
