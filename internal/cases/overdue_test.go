package cases_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	promtest "github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/cxm-project/cxm/internal/cases"
	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/query"
	"github.com/cxm-project/cxm/internal/testutil"
)

// TestGauges: cxm_cases_open and cxm_cases_overdue per location, from the cases' history: s1 has a case
// open past its 24 h SLA and one open within it, s2 one resolved.
func TestGauges(t *testing.T) {
	conn, ch := testutil.ClickHouse(t)
	now := time.Now().UTC().Truncate(time.Second)
	open := func(loc, id string, at time.Time) clickhouse.EventRow {
		return clickhouse.EventRow{Event: event.Event{ID: id + ":open", Type: event.TypeCase, Location: loc, Time: at,
			Case: &event.Case{ID: id, Action: "open", Rule: "complaint", Source: "message", Trigger: "t" + id}}, Received: at}
	}
	rows := []clickhouse.EventRow{
		open("s1", "late", now.Add(-30*time.Hour)), open("s1", "fresh", now.Add(-time.Hour)), open("s2", "done", now.Add(-40*time.Hour)),
		{Event: event.Event{ID: "done:r", Type: event.TypeCase, Location: "s2", Time: now.Add(-39 * time.Hour), Case: &event.Case{ID: "done",
			Action: "resolve", Source: "message", Causes: []string{"process.queue"}, Checklist: map[string]bool{"contacted": true}}}, Received: now},
	}
	if err := clickhouse.InsertEvents(context.Background(), conn, ch.Database, rows); err != nil {
		t.Fatal(err)
	}
	cfg := defaults(t)
	eng := query.New(conn, ch.Database, []config.Location{{ID: "s1"}, {ID: "s2"}}, query.Limits{}).WithCases(&cfg.Cases)
	reg := prometheus.NewRegistry()
	g := cases.NewGauges(eng, time.Minute, cfg.API.MaxRange, nil, reg)
	if err := g.Update(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, loc string
		want      float64
	}{{"cxm_cases_open", "s1", 2}, {"cxm_cases_overdue", "s1", 1}, {"cxm_cases_open", "s2", 0}, {"cxm_cases_overdue", "s2", 0}} {
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		got := -1.0
		for _, mf := range mfs {
			if mf.GetName() != c.name {
				continue
			}
			for _, m := range mf.GetMetric() {
				if m.GetLabel()[0].GetValue() == c.loc {
					got = m.GetGauge().GetValue()
				}
			}
		}
		if got != c.want {
			t.Errorf("%s{location=%q} = %v, want %v", c.name, c.loc, got, c.want)
		}
	}
	if n := promtest.CollectAndCount(reg, "cxm_cases_overdue"); n != 2 {
		t.Errorf("%d overdue series, want one per location with cases", n)
	}
}
