package query

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/internal/clickhouse"
)

// rawEvent is the part of an events row these tests set.
type rawEvent struct {
	id, typ, location, device, time, survey, comment string
	q                                                [11]int
	ext                                              string
}

// insertRaw writes events with SQL (INSERT … SELECT), so the test does not depend on the writer.
func insertRaw(t *testing.T, conn driver.Conn, db string, evs ...rawEvent) {
	t.Helper()
	var sels []string
	for _, e := range evs {
		qs := make([]string, len(e.q))
		for i, q := range e.q {
			qs[i] = fmt.Sprintf("toUInt8(%d)", q)
		}
		sels = append(sels, fmt.Sprintf("SELECT %s, %s, %s, %s, toDateTime(%s, 'UTC'), %s, %s, %s, %s, toDateTime(%[5]s, 'UTC')",
			quote(e.id), quote(e.typ), quote(e.location), quote(e.device), quote(e.time), quote(e.survey), quote(e.comment), strings.Join(qs, ", "), quote(e.ext)))
	}
	if err := conn.Exec(context.Background(), "INSERT INTO "+clickhouse.Ident(db)+".events (id, type, location, device, time, survey, comment, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, ext, received) "+strings.Join(sels, " UNION ALL ")); err != nil {
		t.Fatal(err)
	}
}

func quote(s string) string { return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'" }

func TestAssessments(t *testing.T) {
	conn, db := testDB(t)
	e := New(conn, db, testLocations, Limits{Timeout: 20 * time.Second, MaxRows: 1 << 30, MaxRange: 400 * 24 * time.Hour, MaxExportRows: 100})
	all := func(l int) (q [11]int) {
		for i := range q {
			q[i] = l
		}
		return
	}
	insertRaw(t, conn, db,
		rawEvent{"a1", "survey", "msk-1", "web", "2026-03-02 10:00:00", "cx-maturity", "", [11]int{4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3}, `{"name":"Ada","email":"ada@example.com","consent":true,"lang":"en"}`},
		rawEvent{"a2", "survey", "msk-2", "web", "2026-03-02 11:00:00", "cx-maturity", "", [11]int{2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1}, `{"name":"Bob","email":"bob@example.com","consent":false}`},
		rawEvent{"a3", "survey", "ekb-1", "web", "2026-03-02 12:00:00", "cx-maturity", "", all(1), ""},
		rawEvent{"partial", "survey", "msk-1", "web", "2026-03-02 13:00:00", "cx-maturity", "", [11]int{4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 0}, ""},
		rawEvent{"other", "survey", "msk-1", "qr", "2026-03-02 14:00:00", "default", "", all(4), ""},
		rawEvent{"late", "survey", "msk-1", "web", "2026-03-03 00:00:00", "cx-maturity", "", all(4), ""},
	)
	from, to := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
	ctx := context.Background()

	as, err := e.Assessments(ctx, AssessmentsRequest{From: from, To: to, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	got := ""
	for _, a := range as {
		got += fmt.Sprintf("%s:%s:%d:%d:%s:%s ", a.ID, a.Location, a.Score, a.Stage, a.Name, a.Email)
	}
	// Newest first; incomplete and other surveys left out; the contact only with consent; the scores are
	// the model's (see internal/maturity's table).
	if want := "a3:ekb-1:0:1:: a2:msk-2:20:2:: a1:msk-1:86:5:Ada:ada@example.com "; got != want {
		t.Errorf("assessments\n got %s\nwant %s", got, want)
	}

	scoped, err := e.Assessments(ctx, AssessmentsRequest{From: from, To: to, Limit: 10, Scope: func(l string) bool { return l == "msk-1" }})
	if err != nil || len(scoped) != 1 || scoped[0].ID != "a1" {
		t.Errorf("scoped to msk-1: %+v, %v", scoped, err)
	}
	if one, err := e.Assessments(ctx, AssessmentsRequest{From: from, To: to, Limit: 1}); err != nil || len(one) != 1 || one[0].ID != "a3" {
		t.Errorf("limit 1: %+v, %v", one, err)
	}

	a, err := e.Assessment(ctx, "a1", nil)
	if err != nil || a.Levels != [11]int{4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3} || a.Blocks() != [6]float64{4, 4, 3, 10.0 / 3, 4, 4} {
		t.Errorf("a1: %+v %v, %v", a, a.Blocks(), err)
	}
	var nf *NotFoundError
	if _, err := e.Assessment(ctx, "a1", func(l string) bool { return l == "msk-2" }); !errors.As(err, &nf) {
		t.Errorf("a1 outside the scope: %v, want not found", err)
	}
	if _, err := e.Assessment(ctx, "partial", nil); !errors.As(err, &nf) {
		t.Errorf("an incomplete assessment: %v, want not found", err)
	}

	var lim *LimitError
	if _, err := e.Assessments(ctx, AssessmentsRequest{From: from, To: to, Limit: 101}); !errors.As(err, &lim) || lim.Limit != "api.max_export_rows" {
		t.Errorf("limit 101: %v", err)
	}
	if _, err := e.Assessments(ctx, AssessmentsRequest{From: from, To: from.Add(401 * 24 * time.Hour), Limit: 1}); !errors.As(err, &lim) || lim.Limit != "api.max_range" {
		t.Errorf("long range: %v", err)
	}
	small := New(conn, db, testLocations, Limits{Timeout: 20 * time.Second, MaxRows: 2})
	if _, err := small.Assessments(ctx, AssessmentsRequest{From: from, To: to, Limit: 10}); !errors.As(err, &lim) || lim.Limit != "api.max_rows" {
		t.Errorf("max_rows 2: %v", err)
	}
}

func TestRecentEvents(t *testing.T) {
	conn, db := testDB(t)
	e := New(conn, db, testLocations, Limits{Timeout: 20 * time.Second, MaxRows: 1 << 30, MaxExportRows: 100})
	insertRaw(t, conn, db,
		rawEvent{id: "e1", typ: "survey", location: "msk-1", device: "qr", time: "2026-03-02 10:00:00", survey: "default", comment: "slow"},
		rawEvent{id: "e2", typ: "button", location: "msk-2", device: "b1", time: "2026-03-02 10:00:00"},
		rawEvent{id: "e3", typ: "survey", location: "msk-2", device: "qr", time: "2026-03-02 10:30:00", survey: "default"},
		rawEvent{id: "e4", typ: "button", location: "ekb-1", device: "b2", time: "2026-03-02 11:00:00"},
		rawEvent{id: "e5", typ: "button", location: "msk-1", device: "b1", time: "2026-03-02 11:00:00"},
	)
	from, to := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), time.Date(2026, 3, 2, 11, 0, 1, 0, time.UTC)
	ids := func(evs []Event) (s string) {
		for _, ev := range evs {
			s += ev.ID + " "
		}
		return
	}
	tests := []struct {
		name string
		r    RecentRequest
		want string
	}{
		// Newest first; equal times by location id (ekb-1 < msk-1), then by event id.
		{"all", RecentRequest{Limit: 10}, "e4 e5 e3 e1 e2 "},
		{"limit", RecentRequest{Limit: 2}, "e4 e5 "},
		{"types", RecentRequest{Limit: 10, Types: []string{"survey"}}, "e3 e1 "},
		{"comments", RecentRequest{Limit: 10, WithComment: true}, "e1 "},
		{"region", RecentRequest{Limit: 10, Regions: []string{"central"}}, "e5 e3 e1 e2 "},
		{"scope", RecentRequest{Limit: 10, Scope: func(l string) bool { return l == "msk-2" }}, "e3 e2 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.r.From, tt.r.To = from, to
			evs, err := e.RecentEvents(context.Background(), tt.r)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(evs); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
	var in *InputError
	if _, err := e.RecentEvents(context.Background(), RecentRequest{From: from, To: to, Limit: 0}); !errors.As(err, &in) || in.Param != "limit" {
		t.Errorf("limit 0: %v", err)
	}
	if _, err := e.RecentEvents(context.Background(), RecentRequest{From: from, To: to, Limit: 1, Types: []string{"nope"}}); !errors.As(err, &in) || in.Param != "type" {
		t.Errorf("unknown type: %v", err)
	}
	var lim *LimitError
	small := New(conn, db, testLocations, Limits{Timeout: 20 * time.Second, MaxRows: 2})
	if _, err := small.RecentEvents(context.Background(), RecentRequest{From: from, To: to, Limit: 10}); !errors.As(err, &lim) || lim.Limit != "api.max_rows" {
		t.Errorf("max_rows 2: %v", err)
	}
}
