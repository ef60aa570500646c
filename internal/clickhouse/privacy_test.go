package clickhouse_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/testutil"
)

// TestPrivacyEraseAndRetention: erasing by e-mail and by respondent blanks exactly that person's name,
// e-mail and comment, keeps their answers; retention blanks what is older than the cutoff; nothing else
// changes.
func TestPrivacyEraseAndRetention(t *testing.T) {
	conn, cfg := testutil.ClickHouse(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	old := now.Add(-400 * 24 * time.Hour)
	ref := "0123456789abcdef0123456789abcdef"
	survey := func(id string, at time.Time, ext, comment string) clickhouse.EventRow {
		a := &event.Answers{NPS: intp(9), Comment: comment}
		a.Q[0] = 3
		return clickhouse.EventRow{Event: event.Event{ID: id, Type: event.TypeSurvey, Location: "web", Time: at, Survey: "cx-maturity",
			Answers: a, Ext: json.RawMessage(ext)}, Received: at}
	}
	rows := []clickhouse.EventRow{
		survey("web:cx-maturity:"+ref, now, `{"consent":true,"email":"ada@example.com","name":"Ada"}`, ""),
		survey("web:cx-maturity:ffffffffffffffffffffffffffffffff", now, `{"consent":true,"email":"Bob@Example.com","name":"Bob"}`, "call me"),
		survey("web:keep", now, `{"consent":true,"email":"eve@example.com","name":"Eve"}`, "nice"),
		survey("web:contact", now, `{"consent":true,"contact_me":true,"lang":"ru","phone":"+7 900 123-45-67"}`, ""),
		survey("web:old", old, `{"consent":true,"email":"old@example.com","name":"Old"}`, "old comment"),
		{Event: event.Event{ID: "dev-1", Type: event.TypeButton, Location: "web", Time: old, Kind: event.KindLike, Ext: json.RawMessage(`{"floor":2}`)}, Received: old},
	}
	if err := clickhouse.InsertEvents(ctx, conn, cfg.Database, rows); err != nil {
		t.Fatal(err)
	}
	state := func() map[string][3]string {
		out := map[string][3]string{}
		r, err := conn.Query(ctx, "SELECT id, ext, comment, toString(q1) FROM "+clickhouse.Ident(cfg.Database)+".events")
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		for r.Next() {
			var id, ext, comment, q1 string
			if err := r.Scan(&id, &ext, &comment, &q1); err != nil {
				t.Fatal(err)
			}
			out[id] = [3]string{ext, comment, q1}
		}
		return out
	}
	steps := []struct {
		name    string
		run     func() (uint64, error)
		n       uint64
		blanked []string
	}{
		{"by respondent", func() (uint64, error) {
			return clickhouse.ErasePersonal(ctx, conn, cfg.Database, clickhouse.Erasure{Respondent: ref})
		}, 1, []string{"web:cx-maturity:" + ref}},
		{"by e-mail, any case", func() (uint64, error) {
			return clickhouse.ErasePersonal(ctx, conn, cfg.Database, clickhouse.Erasure{Email: "bob@example.com"})
		}, 1, []string{"web:cx-maturity:ffffffffffffffffffffffffffffffff"}},
		{"by phone (survey contact me)", func() (uint64, error) {
			return clickhouse.ErasePersonal(ctx, conn, cfg.Database, clickhouse.Erasure{Phone: " +7 900 123-45-67"})
		}, 1, []string{"web:contact"}},
		{"again: nothing left", func() (uint64, error) {
			return clickhouse.ErasePersonal(ctx, conn, cfg.Database, clickhouse.Erasure{Email: "bob@example.com"})
		}, 0, nil},
		{"retention", func() (uint64, error) {
			return clickhouse.RetainPersonal(ctx, conn, cfg.Database, now.Add(-365*24*time.Hour))
		}, 1, []string{"web:old"}},
	}
	before := state()
	for _, s := range steps {
		n, err := s.run()
		if err != nil || n != s.n {
			t.Fatalf("%s: %d, %v; want %d", s.name, n, err, s.n)
		}
		after := state()
		for _, id := range s.blanked {
			if got := after[id]; got[0] != "" || got[1] != "" || got[2] != "3" {
				t.Errorf("%s: %s is %q, want blank ext and comment, q1 kept", s.name, id, got)
			}
			delete(before, id)
		}
		for id, v := range before {
			if after[id] != v {
				t.Errorf("%s: %s changed from %q to %q", s.name, id, v, after[id])
			}
		}
	}
	for _, bad := range []clickhouse.Erasure{{}, {Email: "a@b.c", Respondent: ref}, {Respondent: "x' OR 1=1 --"}} {
		if _, err := clickhouse.ErasePersonal(ctx, conn, cfg.Database, bad); err == nil {
			t.Errorf("erasure %+v accepted", bad)
		}
	}
}
