package config

import (
	"fmt"
	"strings"
	"time"
)

// Cases configures the closed loop: the rules that open a case from an event, the qualification
// checklists per event type, the root-cause tree and the service levels.
type Cases struct {
	// Enabled runs the rule engine in `cxm run` (`cxm cases` runs it alone).
	Enabled bool `koanf:"enabled"`
	// Group is the rule engine's Kafka consumer group on the events topic.
	Group string `koanf:"group"`
	// Window is how long a low score waits for the message that follows it (rule kind
	// low_smiley_then_message). The engine commits its offsets this far behind what it has read, so after
	// a crash it reads the window again and rebuilds what it remembered.
	Window time.Duration `koanf:"window"`
	// SLA is the time from the triggering event to resolution (a rule may set its own); FirstActionSLA the
	// time to the first action of a person. Both are event time.
	SLA            time.Duration `koanf:"sla"`
	FirstActionSLA time.Duration `koanf:"first_action_sla"`
	// OverdueInterval is how often the overdue-cases gauge (cxm_cases_overdue) is recomputed.
	OverdueInterval time.Duration `koanf:"overdue_interval"`
	// InboxLimit caps the cases one inbox request returns.
	InboxLimit int `koanf:"inbox_limit"`
	// StatusWindow is the rolling window the status evaluator judges the case KPIs over (kpi_status,
	// cxm_indicator_status{kpi="cases_resolved_in_sla"}), by the time the cases opened: a store has a few
	// cases a week, which kpi.status_window would mostly leave grey. 0 judges them over kpi.windows.
	StatusWindow time.Duration `koanf:"status_window"`
	// Rules are tried in order; a triggering event opens at most one case, by the first rule it matches.
	Rules []CaseRule `koanf:"rules"`
	// Checklists are the qualification questions (yes/no) per triggering event type (message, survey,
	// button, audit). A case resolves only with every item of its checklist answered.
	Checklists map[string][]ChecklistItem `koanf:"checklists"`
	// Causes is the root-cause tree; a case resolves only with at least one leaf ("staff.politeness").
	Causes []Cause `koanf:"causes"`
}

// Rule kinds.
const (
	RuleMessage              = "message"                 // a message of one of Messages' kinds (default complaint)
	RuleLowSmileyThenMessage = "low_smiley_then_message" // a smiley <= Max at the location, then a message within Window
	RuleNPS                  = "nps"                     // a survey answer nps <= Max (with a comment when Comment)
	RuleCSAT                 = "csat"                    // a survey answer csat <= Max (with a comment when Comment)
	RuleContactMe            = "contact_me"              // a message with contact details, or a survey whose ext has "contact_me": true
	RuleAuditCritical        = "audit_critical"          // a failed critical audit element: needs the audit event type (issue 17)
)

var ruleKinds = []string{RuleMessage, RuleLowSmileyThenMessage, RuleNPS, RuleCSAT, RuleContactMe, RuleAuditCritical}

// CaseRule is one rule that opens a case.
type CaseRule struct {
	ID       string        `koanf:"id"`
	Kind     string        `koanf:"kind"`
	Messages []string      `koanf:"messages"`
	Max      int           `koanf:"max"`
	Comment  bool          `koanf:"comment"`
	SLA      time.Duration `koanf:"sla"`
}

// ChecklistItem is one yes/no qualification question.
type ChecklistItem struct {
	ID      string `koanf:"id" json:"id"`
	TitleRU string `koanf:"title_ru" json:"title_ru"`
	TitleEN string `koanf:"title_en" json:"title_en"`
}

// Cause is a node of the root-cause tree; a leaf's id is its path joined with dots.
type Cause struct {
	ID       string  `koanf:"id"`
	TitleRU  string  `koanf:"title_ru"`
	TitleEN  string  `koanf:"title_en"`
	Children []Cause `koanf:"children"`
}

// RuleSLA is rule's SLA, or the default.
func (c *Cases) RuleSLA(rule string) time.Duration {
	for _, r := range c.Rules {
		if r.ID == rule && r.SLA > 0 {
			return r.SLA
		}
	}
	return c.SLA
}

// Leaves lists the root causes a case may be given: the tree's leaves as dotted paths, in tree order.
func (c *Cases) Leaves() []string {
	var out []string
	var walk func(prefix string, cs []Cause)
	walk = func(prefix string, cs []Cause) {
		for _, n := range cs {
			p := prefix + n.ID
			if len(n.Children) == 0 {
				out = append(out, p)
			} else {
				walk(p+".", n.Children)
			}
		}
	}
	walk("", c.Causes)
	return out
}

func casesDefaults() map[string]any {
	item := func(id, ru, en string) map[string]any {
		return map[string]any{"id": id, "title_ru": ru, "title_en": en}
	}
	common := []map[string]any{
		item("contacted", "Связались с клиентом", "Customer contacted"),
		item("justified", "Претензия обоснована", "Complaint justified"),
		item("recovered", "Клиент удовлетворён решением", "Customer satisfied with the outcome"),
	}
	cause := func(id, ru, en string, children ...map[string]any) map[string]any {
		m := item(id, ru, en)
		if len(children) > 0 {
			m["children"] = children
		}
		return m
	}
	m := map[string]any{
		"cases.enabled":          true,
		"cases.group":            "cxm-cases",
		"cases.window":           15 * time.Minute,
		"cases.sla":              24 * time.Hour,
		"cases.first_action_sla": 2 * time.Hour,
		"cases.overdue_interval": time.Minute,
		"cases.inbox_limit":      500,
		"cases.status_window":    7 * 24 * time.Hour,
		"cases.rules": []map[string]any{
			{"id": "complaint", "kind": RuleMessage, "messages": []string{"complaint"}},
			{"id": "bad-smiley-message", "kind": RuleLowSmileyThenMessage, "max": 1},
			{"id": "detractor-comment", "kind": RuleNPS, "max": 6, "comment": true},
			{"id": "low-csat", "kind": RuleCSAT, "max": 2},
			{"id": "contact-me", "kind": RuleContactMe},
		},
		"cases.checklists": map[string]any{
			"message": common,
			"survey":  common,
			"button":  common[:2],
		},
		"cases.causes": []map[string]any{
			cause("staff", "Персонал", "Staff",
				cause("politeness", "Вежливость", "Politeness"),
				cause("competence", "Компетентность", "Competence"),
				cause("schedule", "Нехватка персонала", "Understaffing")),
			cause("process", "Процесс", "Process",
				cause("queue", "Очередь", "Queue"),
				cause("payment", "Оплата", "Payment")),
			cause("product", "Товар", "Product",
				cause("availability", "Наличие", "Availability"),
				cause("quality", "Качество", "Quality")),
			cause("premises", "Помещение", "Premises",
				cause("cleanliness", "Чистота", "Cleanliness"),
				cause("parking", "Парковка", "Parking")),
		},
	}
	// The case KPIs' default traffic lights (kpi.thresholds; cases_opened and cases_open have none: their
	// level says how much customers talk, not how well they are served). Against the default SLAs (24 h to
	// resolve, 2 h to a first action): 90 % resolved in time is green, under 75 % red; a mean first action
	// past the 2 h SLA yellow, past twice it red; a mean resolution past half the SLA yellow, past the SLA
	// red; any overdue case yellow, more than 2 red. The shares and means need 3 cases.
	for _, d := range []struct {
		name, direction string
		yellow, red     float64
		minN            int64
	}{
		{"cases_resolved_in_sla", "higher", 90, 75, 3},
		{"case_first_action_hours", "lower", 2, 4, 3},
		{"case_resolution_hours", "lower", 12, 24, 3},
		{"cases_overdue", "lower", 0, 2, 1},
	} {
		p := "kpi.thresholds." + d.name + "."
		m[p+"direction"], m[p+"yellow"], m[p+"red"], m[p+"min_n"] = d.direction, d.yellow, d.red, d.minN
	}
	return m
}

// caseIDPattern: rule, checklist item and cause ids are short, dot-free words, so dotted cause paths
// are unambiguous and they fit the contract's 128 characters.
func validCaseWord(s string) bool {
	if len(s) < 1 || len(s) > 40 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func (c *Cases) validate(es *Errors) {
	if c.Group == "" {
		es.add("cases.group", "must not be empty")
	}
	if c.Window < time.Second {
		es.add("cases.window", "must be at least 1s, e.g. 15m")
	}
	if c.SLA < time.Minute {
		es.add("cases.sla", "must be at least 1m, e.g. 24h")
	}
	if c.FirstActionSLA < time.Minute {
		es.add("cases.first_action_sla", "must be at least 1m, e.g. 2h")
	}
	if c.OverdueInterval < time.Second {
		es.add("cases.overdue_interval", "must be at least 1s, e.g. 1m")
	}
	if c.StatusWindow < 0 {
		es.add("cases.status_window", "must be 0 (judged over kpi.windows) or positive, e.g. 168h")
	}
	if c.InboxLimit < 1 || c.InboxLimit > 10000 {
		es.add("cases.inbox_limit", "must be 1 to 10000, got %d", c.InboxLimit)
	}
	seen := map[string]bool{}
	for i, r := range c.Rules {
		key := fmt.Sprintf("cases.rules[%d]", i)
		if !validCaseWord(r.ID) {
			es.add(key+".id", "must be 1 to 40 characters of a-z 0-9 - _, got %q", r.ID)
		} else if seen[r.ID] {
			es.add(key+".id", "%q is used by an earlier rule", r.ID)
		}
		seen[r.ID] = true
		switch r.Kind {
		case RuleMessage:
			for _, k := range r.Messages {
				if k != "complaint" && k != "thanks" && k != "suggestion" {
					es.add(key+".messages", "must list complaint, thanks or suggestion, not %q", k)
				}
			}
		case RuleLowSmileyThenMessage:
			if r.Max < 1 || r.Max > 4 {
				es.add(key+".max", "must be 1 to 4 (the highest smiley value that counts as low), got %d", r.Max)
			}
		case RuleNPS:
			if r.Max < 0 || r.Max > 9 {
				es.add(key+".max", "must be 0 to 9, got %d", r.Max)
			}
		case RuleCSAT:
			if r.Max < 1 || r.Max > 4 {
				es.add(key+".max", "must be 1 to 4, got %d", r.Max)
			}
		case RuleContactMe, RuleAuditCritical:
		default:
			es.add(key+".kind", "must be one of %s, not %q", strings.Join(ruleKinds, ", "), r.Kind)
		}
		if r.SLA < 0 {
			es.add(key+".sla", "must not be negative (0: cases.sla)")
		}
	}
	for typ, items := range c.Checklists {
		ids := map[string]bool{}
		for i, it := range items {
			key := fmt.Sprintf("cases.checklists.%s[%d]", typ, i)
			if !validCaseWord(it.ID) || ids[it.ID] {
				es.add(key+".id", "must be a distinct id of 1 to 40 characters of a-z 0-9 - _, got %q", it.ID)
			}
			ids[it.ID] = true
			if it.TitleRU == "" || it.TitleEN == "" {
				es.add(key, "needs title_ru and title_en")
			}
		}
	}
	var walk func(prefix string, cs []Cause)
	walk = func(prefix string, cs []Cause) {
		ids := map[string]bool{}
		for i, n := range cs {
			key := fmt.Sprintf("%s[%d]", prefix, i)
			if !validCaseWord(n.ID) || ids[n.ID] {
				es.add(key+".id", "must be a distinct id of 1 to 40 characters of a-z 0-9 - _, got %q", n.ID)
			}
			ids[n.ID] = true
			if n.TitleRU == "" || n.TitleEN == "" {
				es.add(key, "needs title_ru and title_en")
			}
			walk(key+".children", n.Children)
		}
	}
	walk("cases.causes", c.Causes)
	if len(c.Causes) == 0 {
		es.add("cases.causes", "must list at least one root cause (a case resolves only with one)")
	}
}
