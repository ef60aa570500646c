package api

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/event"
)

// TestCasesEndpoints: the inbox's reads are scoped like every read (the msk-1 token sees msk-1's case
// only, and gets 404 for msk-2's), and answer as openapi.yaml says.
func TestCasesEndpoints(t *testing.T) {
	f, conn, db := setup(t, nil)
	t0 := time.Now().UTC().Add(-2 * time.Hour).Truncate(time.Second)
	open := func(loc, id, trig string) clickhouse.EventRow {
		return clickhouse.EventRow{Event: event.Event{ID: id + ":open", Type: event.TypeCase, Location: loc, Time: t0,
			Case: &event.Case{ID: id, Action: "open", Rule: "complaint", Source: "message", Trigger: trig}}, Received: t0}
	}
	rows := []clickhouse.EventRow{
		{Event: event.Event{ID: "m1", Type: event.TypeMessage, Location: "msk-1", Time: t0, Kind: "complaint", Message: &event.Message{Text: "rude"}}, Received: t0},
		open("msk-1", "k1", "m1"), open("msk-2", "k2", "m2"),
		{Event: event.Event{ID: "k1:a", Type: event.TypeCase, Location: "msk-1", Time: t0.Add(time.Hour), Case: &event.Case{ID: "k1", Action: "resolve",
			Source: "message", Checklist: map[string]bool{"contacted": true}, Causes: []string{"staff.politeness"}}}, Received: t0},
	}
	must(t, clickhouse.InsertEvents(context.Background(), conn, db, rows))
	rng := "from=now-1d&to=now"
	var list struct{ Cases []struct{ ID, Status string } }
	rec := f.get(tokCentral, "/v1/cases?"+rng)
	must(t, json.Unmarshal(rec.Body.Bytes(), &list))
	if rec.Code != 200 || len(list.Cases) != 1 || list.Cases[0].ID != "k1" || list.Cases[0].Status != "resolved" {
		t.Fatalf("msk-1 token: %d %s", rec.Code, rec.Body)
	}
	if rec := f.get(tokAll, "/v1/cases?"+rng); len(decodeCases(t, rec.Body.Bytes())) != 2 {
		t.Errorf("all token: %s", rec.Body)
	}
	if rec := f.get(tokCentral, "/v1/cases/k2?"+rng); rec.Code != 404 {
		t.Errorf("msk-1 token read msk-2's case: %d", rec.Code)
	}
	if rec := f.get(tokCentral, "/v1/cases/k1?"+rng); rec.Code != 200 {
		t.Errorf("own case: %d %s", rec.Code, rec.Body)
	}
	if rec := f.get(tokCentral, "/v1/cases?"+rng+"&status=closed"); rec.Code != 400 {
		t.Errorf("bad status: %d", rec.Code)
	}
	var figs struct {
		Figures []struct {
			Pareto []struct{ Cause string }
		}
	}
	rec = f.get(tokAll, "/v1/cases/figures?"+rng+"&group_by=region")
	must(t, json.Unmarshal(rec.Body.Bytes(), &figs))
	if len(figs.Figures) != 1 || len(figs.Figures[0].Pareto) != 1 || figs.Figures[0].Pareto[0].Cause != "staff.politeness" {
		t.Errorf("figures %s", rec.Body)
	}
	if rec := f.get(tokCentral, "/v1/cases/config"); rec.Code != 200 {
		t.Errorf("config: %d", rec.Code)
	}
}

func decodeCases(t *testing.T, b []byte) []json.RawMessage {
	var out struct{ Cases []json.RawMessage }
	must(t, json.Unmarshal(b, &out))
	return out.Cases
}
