package clickhouse_test

import (
	"context"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/testutil"
)

// TestMessageAndCaseRows: message and case events land in their columns; erasing by e-mail and
// retention blank a message's words and contact (not its kind), and leave case actions alone.
func TestMessageAndCaseRows(t *testing.T) {
	conn, cfg := testutil.ClickHouse(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	old := now.Add(-400 * 24 * time.Hour)
	msg := func(id string, at time.Time, text, contact string) clickhouse.EventRow {
		return clickhouse.EventRow{Event: event.Event{ID: id, Type: event.TypeMessage, Location: "s1", Time: at, Kind: event.KindComplaint,
			Message: &event.Message{Text: text, Contact: contact, Consent: contact != "", Voice: "rec/" + id}}, Received: at}
	}
	rows := []clickhouse.EventRow{
		msg("m-ada", now, "rude cashier", "Ada@example.com"),
		msg("m-keep", now, "long queue", "+7 900"),
		msg("m-old", old, "old words", ""),
		{Event: event.Event{ID: "c1:open", Type: event.TypeCase, Location: "s1", Time: now, Case: &event.Case{ID: "c1", Action: event.ActionResolve,
			Actor: "ann", Note: "called back", Checklist: map[string]bool{"b": false, "a": true}, Causes: []string{"staff.politeness"}}}, Received: now},
	}
	if err := clickhouse.InsertEvents(ctx, conn, cfg.Database, rows); err != nil {
		t.Fatal(err)
	}
	read := func(id string) (kind, comment, contact, voice, checklist string, causes []string) {
		t.Helper()
		if err := conn.QueryRow(ctx, "SELECT toString(kind), comment, contact, voice, checklist, causes FROM "+clickhouse.Ident(cfg.Database)+
			".events WHERE id = ?", id).Scan(&kind, &comment, &contact, &voice, &checklist, &causes); err != nil {
			t.Fatal(err)
		}
		return
	}
	if k, c, ct, v, _, _ := read("m-ada"); k != "complaint" || c != "rude cashier" || ct != "Ada@example.com" || v != "rec/m-ada" {
		t.Fatalf("message row: %q %q %q %q", k, c, ct, v)
	}
	if _, _, _, _, cl, causes := read("c1:open"); cl != `{"a":true,"b":false}` || len(causes) != 1 || causes[0] != "staff.politeness" {
		t.Fatalf("case row: checklist %s causes %v", cl, causes)
	}
	n, err := clickhouse.ErasePersonal(ctx, conn, cfg.Database, clickhouse.Erasure{Email: "ada@EXAMPLE.com"})
	if err != nil || n != 1 {
		t.Fatalf("erase: %d, %v; want 1", n, err)
	}
	if k, c, ct, _, _, _ := read("m-ada"); k != "complaint" || c != "" || ct != "" {
		t.Errorf("after erase: kind %q comment %q contact %q; want complaint, blank, blank", k, c, ct)
	}
	if _, c, ct, _, _, _ := read("m-keep"); c != "long queue" || ct != "+7 900" {
		t.Errorf("another person's message changed: %q %q", c, ct)
	}
	n, err = clickhouse.RetainPersonal(ctx, conn, cfg.Database, now.Add(-365*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("retention: %d, %v; want 1", n, err)
	}
	if _, c, _, _, _, _ := read("m-old"); c != "" {
		t.Errorf("old message kept its words: %q", c)
	}
	if _, _, _, _, cl, _ := read("c1:open"); cl == "" {
		t.Errorf("retention blanked a case action")
	}
}
