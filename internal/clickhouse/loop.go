package clickhouse

import "github.com/cxm-project/cxm/internal/event"

// loopColumns are the events table's columns of the closed loop (message and case events, migration 017),
// kept apart from eventColumnar so the survey and button columns stay as they are.
type loopColumns struct {
	contact, voice, re, caseID, action, rule, trigger, source, actor, assignee, note, checklist []string
	causes                                                                                      [][]string
}

func newLoopColumns(n int) loopColumns {
	l := loopColumns{causes: make([][]string, n)}
	for _, p := range l.strings() {
		*p = make([]string, n)
	}
	return l
}

func (l *loopColumns) strings() []*[]string {
	return []*[]string{&l.contact, &l.voice, &l.re, &l.caseID, &l.action, &l.rule, &l.trigger, &l.source,
		&l.actor, &l.assignee, &l.note, &l.checklist}
}

// columns are in the order of eventColumns' tail.
func (l *loopColumns) columns() []any {
	out := make([]any, 0, 13)
	for _, p := range l.strings() {
		out = append(out, *p)
	}
	return append(out, l.causes)
}

// set fills row i. A message's text is not here: it goes to comment (events.go), beside the survey
// comments that retention and erasure already blank.
func (l *loopColumns) set(i int, e *event.Event) {
	l.causes[i] = []string{}
	if m := e.Message; m != nil {
		l.contact[i], l.voice[i], l.re[i] = m.Contact, m.Voice, m.Re
	}
	if c := e.Case; c != nil {
		l.caseID[i], l.action[i], l.rule[i], l.trigger[i], l.source[i] = c.ID, c.Action, c.Rule, c.Trigger, c.Source
		l.actor[i], l.assignee[i], l.note[i] = c.Actor, c.Assignee, c.Note
		if c.Checklist != nil {
			l.checklist[i] = string(event.AppendChecklist(nil, c.Checklist))
		}
		if c.Causes != nil {
			l.causes[i] = c.Causes
		}
	}
}
