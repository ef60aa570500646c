package plugin

import (
	"reflect"
	"testing"

	ch "github.com/ClickHouse/clickhouse-go/v2"
)

func TestEventsSQL(t *testing.T) {
	from, to := at("2026-11-23T10:00:00Z"), at("2026-11-23T11:00:00Z")
	const cols = "SELECT time, location, toString(type), device, toString(kind), value, scale, subject, `in`, `out`, receipt, amount_cents, items, currency, refund, survey, nps, csat, ces, comment, id FROM `cxm`.`events` WHERE "
	tests := []struct {
		name  string
		q     eventsSQL
		where string
		args  []any
	}{
		{"all locations", eventsSQL{Database: "cxm", From: from, To: to, Locations: Selection{All: true}, Limit: 100},
			"time >= toDateTime(?, 'UTC') AND time <= toDateTime(?, 'UTC') ORDER BY time DESC, location, id LIMIT 100",
			[]any{from.Unix(), to.Unix()}},
		{"locations, types, comments", eventsSQL{Database: "cxm", From: from, To: to, Locations: Selection{IDs: []string{"a", "b"}}, Types: []string{"survey"}, WithComment: true, Limit: 5},
			"time >= toDateTime(?, 'UTC') AND time <= toDateTime(?, 'UTC') AND location IN ? AND toString(type) IN ? AND comment != '' ORDER BY time DESC, location, id LIMIT 5",
			[]any{from.Unix(), to.Unix(), ch.GroupSet{Value: []any{"a", "b"}}, ch.GroupSet{Value: []any{"survey"}}}},
		{"nothing selected", eventsSQL{Database: "cxm", From: from, To: to, Locations: Selection{IDs: []string{}}, Limit: 100},
			"time >= toDateTime(?, 'UTC') AND time <= toDateTime(?, 'UTC') AND 0 ORDER BY time DESC, location, id LIMIT 100",
			[]any{from.Unix(), to.Unix()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sql, args := tt.q.Build()
			if sql != cols+tt.where {
				t.Errorf("sql\n got %s\nwant %s", sql, cols+tt.where)
			}
			if !reflect.DeepEqual(args, tt.args) {
				t.Errorf("args = %#v, want %#v", args, tt.args)
			}
		})
	}
}

func TestMaturitySQL(t *testing.T) {
	from, to := at("2026-11-23T10:00:00Z"), at("2026-11-23T11:00:00Z")
	sql, args := maturitySQL{Database: "cxm", From: from, To: to, Locations: Selection{IDs: []string{"a"}}}.Build()
	want := "SELECT time, location, id, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11 FROM `cxm`.`events` WHERE " +
		"time >= toDateTime(?, 'UTC') AND time <= toDateTime(?, 'UTC') AND location IN ? AND type = 'survey' AND survey = ? AND " +
		"q1 BETWEEN 1 AND 4 AND q2 BETWEEN 1 AND 4 AND q3 BETWEEN 1 AND 4 AND q4 BETWEEN 1 AND 4 AND q5 BETWEEN 1 AND 4 AND " +
		"q6 BETWEEN 1 AND 4 AND q7 BETWEEN 1 AND 4 AND q8 BETWEEN 1 AND 4 AND q9 BETWEEN 1 AND 4 AND q10 BETWEEN 1 AND 4 AND " +
		"q11 BETWEEN 1 AND 4 ORDER BY time DESC, location, id LIMIT 10000"
	if sql != want {
		t.Errorf("sql\n got %s\nwant %s", sql, want)
	}
	wantArgs := []any{from.Unix(), to.Unix(), ch.GroupSet{Value: []any{"a"}}, "cx-maturity"}
	if !reflect.DeepEqual(args, wantArgs) {
		t.Errorf("args = %#v, want %#v", args, wantArgs)
	}
}
