package query

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
)

// TestCaseStateIsItsHistoryFolded: random action histories, written shuffled in several insert blocks
// (unmerged parts), give through the engine exactly the state a plain fold of each history in (time, id)
// order gives: status, assignee, first action, resolution, checklist and causes.
func TestCaseStateIsItsHistoryFolded(t *testing.T) {
	conn, db := testDB(t)
	rng := rand.New(rand.NewPCG(18, 2026))
	t0 := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	type want struct {
		status, assignee string
		first, resolved  time.Time
		checklist        map[string]bool
		causes           []string
	}
	wants := map[string]want{}
	var rows []clickhouse.EventRow
	actions := []string{"assign", "comment", "qualify", "resolve", "reopen"}
	for i := range 60 {
		id := fmt.Sprintf("h%02d", i)
		opened := t0.Add(time.Duration(rng.IntN(48*60)) * time.Minute)
		rows = append(rows, clickhouse.EventRow{Event: event.Event{ID: id + ":open", Type: event.TypeCase, Location: "s1", Time: opened,
			Case: &event.Case{ID: id, Action: "open", Rule: "complaint", Source: "message", Trigger: "m" + id}}, Received: opened})
		w := want{status: CaseOpen, checklist: map[string]bool{}, causes: []string{}}
		var hist []clickhouse.EventRow
		at := opened
		for j := range rng.IntN(7) {
			// Several actions may share a second: the id orders them, as argMax by (time, id) does.
			at = at.Add(time.Duration(rng.IntN(3)) * time.Minute)
			c := event.Case{ID: id, Action: actions[rng.IntN(len(actions))]}
			switch c.Action {
			case "assign":
				c.Assignee = []string{"ann", "bob", "eve"}[rng.IntN(3)]
			case "comment":
				c.Note = "note"
			case "qualify", "resolve":
				c.Source = "message"
				c.Checklist = map[string]bool{"contacted": rng.IntN(2) == 0, "justified": rng.IntN(2) == 0}
				c.Causes = [][]string{{"process.queue"}, {"staff.politeness", "process.queue"}}[rng.IntN(2)]
			}
			hist = append(hist, clickhouse.EventRow{Event: event.Event{ID: fmt.Sprintf("%s:%02d", id, j), Type: event.TypeCase, Location: "s1",
				Time: at, Case: &c}, Received: at})
		}
		// The fold: in (time, id) order, which the ids above already follow.
		for k, r := range hist {
			c := r.Case
			if k == 0 {
				w.first = r.Time
			}
			switch c.Action {
			case "assign":
				w.assignee = c.Assignee
			case "resolve":
				w.resolved = r.Time
			case "reopen":
				w.resolved = time.Time{}
			}
			if c.Checklist != nil {
				w.checklist = c.Checklist
			}
			if len(c.Causes) > 0 {
				w.causes = c.Causes
			}
		}
		switch {
		case !w.resolved.IsZero():
			w.status = CaseResolved
		case w.assignee != "":
			w.status = CaseAssigned
		}
		wants[id] = w
		rows = append(rows, hist...)
	}
	rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	for start := 0; start < len(rows); start += 37 {
		if err := clickhouse.InsertEvents(context.Background(), conn, db, rows[start:min(start+37, len(rows))]); err != nil {
			t.Fatal(err)
		}
	}
	cfg, _ := config.Load("", nil)
	e := New(conn, db, []config.Location{{ID: "s1"}}, Limits{}).WithCases(&cfg.Cases)
	cs, err := e.Cases(context.Background(), CasesRequest{From: t0, To: t0.Add(72 * time.Hour), Now: t0.Add(100 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != len(wants) {
		t.Fatalf("%d cases, want %d", len(cs), len(wants))
	}
	for _, c := range cs {
		w := wants[c.ID]
		first, resolved := time.Time{}, time.Time{}
		if c.FirstAction != nil {
			first = *c.FirstAction
		}
		if c.Resolved != nil {
			resolved = *c.Resolved
		}
		if c.Status != w.status || c.Assignee != w.assignee || !first.Equal(w.first) || !resolved.Equal(w.resolved) ||
			!reflect.DeepEqual(c.Checklist, w.checklist) || !slices.Equal(c.Causes, w.causes) {
			t.Errorf("case %s: state %s/%q first %s resolved %s %v %v; the history says %s/%q %s %s %v %v", c.ID,
				c.Status, c.Assignee, first, resolved, c.Checklist, c.Causes, w.status, w.assignee, w.first, w.resolved, w.checklist, w.causes)
		}
	}
}
