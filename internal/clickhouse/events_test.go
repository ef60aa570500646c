package clickhouse_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/testutil"
)

func intp(v int) *int { return &v }

func TestInsertEventsRoundTrip(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2025, 3, 31, 23, 59, 58, 0, time.UTC)
	recv := at.Add(1500 * time.Millisecond)
	rows := []clickhouse.EventRow{
		{Event: event.Event{ID: "b1", Type: event.TypeButton, Location: "shop-1", Device: "term-7", Time: at,
			Kind: event.KindSmiley, Value: 5, Scale: 5}, Received: recv, KafkaPartition: 11, KafkaOffset: 1 << 40},
		{Event: event.Event{ID: "b2", Type: event.TypeButton, Location: "shop-1", Device: "term-8", Time: at.Add(time.Second),
			Kind: event.KindDislike, Subject: "parking — Süd", Ext: json.RawMessage(`{"floor":2,"tags":["a"]}`)},
			Repeat: true, Received: recv, KafkaPartition: 0, KafkaOffset: 0},
		{Event: event.Event{ID: "b3", Type: event.TypeButton, Location: "shop-2", Time: at, Kind: event.KindConsultation, Seller: "s-9"},
			Received: recv, KafkaPartition: 65535, KafkaOffset: 9_223_372_036_854_775_807},
		{Event: event.Event{ID: "c1", Type: event.TypeCounter, Location: "shop-1", Device: "door", Time: at.AddDate(0, 1, 0),
			In: 4_294_967_295, Out: 3}, Received: recv, KafkaPartition: 2, KafkaOffset: 5},
		{Event: event.Event{ID: "p1", Type: event.TypePOS, Location: "shop-1", Time: at, Receipt: "R-1",
			Amount: event.Amount(100_000_000_000_000_000), Items: 2_147_483_647, Currency: "EUR", Seller: "anna", Refund: true},
			Received: recv, KafkaPartition: 3, KafkaOffset: 6},
		{Event: event.Event{ID: "p2", Type: event.TypePOS, Location: "shop-1", Time: at, Receipt: "R-2", Amount: 1, Items: -1, Currency: "CHF"},
			Received: recv, KafkaPartition: 3, KafkaOffset: 7},
		{Event: event.Event{ID: "s1", Type: event.TypeSurvey, Location: "clinic", Time: at, Survey: "nps-q1",
			Answers: &event.Answers{NPS: intp(0), CSAT: intp(5), CES: intp(7), Comment: "line1\nline2 'quoted' \"x\";"}},
			Received: recv, KafkaPartition: 4, KafkaOffset: 8},
		{Event: event.Event{ID: "s2", Type: event.TypeSurvey, Location: "clinic", Time: at, Survey: "maturity",
			Answers: &event.Answers{NPS: intp(10), Q: [11]int8{1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 4}}},
			Received: recv, KafkaPartition: 4, KafkaOffset: 9},
		{Event: event.Event{ID: "s3", Type: event.TypeSurvey, Location: "clinic", Time: at, Survey: "empty", Answers: &event.Answers{}},
			Received: recv, KafkaPartition: 4, KafkaOffset: 10},
	}
	// Per row, most columns are at their defaults and the INSERT leaves them out; all rows in one INSERT
	// send nearly every column. Both must read back the same.
	for _, tc := range []struct {
		name string
		per  int
	}{{"one INSERT", len(rows)}, {"an INSERT per row", 1}} {
		t.Run(tc.name, func(t *testing.T) {
			conn, cfg := testutil.ClickHouse(t)
			for i := 0; i < len(rows); i += tc.per {
				if err := clickhouse.InsertEvents(ctx, conn, cfg.Database, rows[i:min(i+tc.per, len(rows))]); err != nil {
					t.Fatal(err)
				}
			}
			got := readEvents(t, conn, cfg.Database)
			if len(got) != len(rows) {
				t.Fatalf("read %d rows, want %d", len(got), len(rows))
			}
			for _, want := range rows {
				// DateTime stores whole seconds.
				want.Received = want.Received.Truncate(time.Second)
				if g := got[want.ID]; !reflect.DeepEqual(g, want) {
					t.Errorf("row %s:\n got  %+v\n want %+v", want.ID, describe(g), describe(want))
				}
			}
			var parts uint64
			if err := conn.QueryRow(ctx, "SELECT uniqExact(_partition_id) FROM "+clickhouse.Ident(cfg.Database)+".events").Scan(&parts); err != nil {
				t.Fatal(err)
			}
			if parts != 2 {
				t.Errorf("rows of March and April landed in %d partitions, want 2 (monthly)", parts)
			}
		})
	}
}

// readEvents reads the table back into EventRows the way a data engineer would see it.
func readEvents(t *testing.T, conn driver.Conn, db string) map[string]clickhouse.EventRow {
	t.Helper()
	q := "SELECT id, type, location, device, time, kind, value, scale, subject, `in`, `out`, receipt, amount_cents, items, " +
		"currency, seller, refund, survey, nps, csat, ces, comment, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, ext, " +
		"`repeat`, received, kafka_partition, kafka_offset FROM " + clickhouse.Ident(db) + ".events"
	rs, err := conn.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	out := map[string]clickhouse.EventRow{}
	for rs.Next() {
		var (
			id, typ, loc, dev, kind, subject, receipt, currency, seller, survey, comment, ext string
			tm, received                                                                      time.Time
			value, scale, refund, repeat                                                      uint8
			in, outc                                                                          uint32
			amount                                                                            int64
			items                                                                             int32
			nps, csat, ces                                                                    *uint8
			q                                                                                 [11]uint8
			partition                                                                         uint16
			offset                                                                            uint64
		)
		dest := []any{&id, &typ, &loc, &dev, &tm, &kind, &value, &scale, &subject, &in, &outc, &receipt, &amount, &items,
			&currency, &seller, &refund, &survey, &nps, &csat, &ces, &comment}
		for k := range q {
			dest = append(dest, &q[k])
		}
		dest = append(dest, &ext, &repeat, &received, &partition, &offset)
		if err := rs.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		r := clickhouse.EventRow{
			Event: event.Event{ID: id, Type: event.Type(typ), Location: loc, Device: dev, Time: tm.UTC(), Kind: kind,
				Value: int(value), Scale: int(scale), Subject: subject, In: int64(in), Out: int64(outc), Receipt: receipt,
				Amount: event.Amount(amount), Items: int(items), Currency: currency, Seller: seller, Refund: refund == 1, Survey: survey},
			Repeat: repeat == 1, Received: received.UTC(), KafkaPartition: int32(partition), KafkaOffset: int64(offset),
		}
		if ext != "" {
			r.Ext = json.RawMessage(ext)
		}
		if typ == string(event.TypeSurvey) {
			a := &event.Answers{Comment: comment}
			for src, dst := range map[*uint8]**int{nps: &a.NPS, csat: &a.CSAT, ces: &a.CES} {
				if src != nil {
					*dst = intp(int(*src))
				}
			}
			for k := range q {
				a.Q[k] = int8(q[k])
			}
			r.Answers = a
		} else if nps != nil || csat != nil || ces != nil || comment != "" || q != [11]uint8{} {
			t.Errorf("row %s of type %s has survey answers", id, typ)
		}
		out[id] = r
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func describe(r clickhouse.EventRow) string {
	s := fmt.Sprintf("%+v", r)
	if a := r.Answers; a != nil {
		deref := func(p *int) string {
			if p == nil {
				return "nil"
			}
			return fmt.Sprint(*p)
		}
		s += fmt.Sprintf(" answers{nps:%s csat:%s ces:%s comment:%q q:%v}", deref(a.NPS), deref(a.CSAT), deref(a.CES), a.Comment, a.Q)
	}
	return s
}

func TestInsertEventsRejectsOutOfRange(t *testing.T) {
	conn, cfg := testutil.ClickHouse(t)
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	ok := clickhouse.EventRow{Event: event.Event{ID: "ok", Type: event.TypeButton, Location: "l", Time: at, Kind: event.KindLike}, Received: at}
	tests := []struct {
		name    string
		mutate  func(r *clickhouse.EventRow)
		wantErr string
	}{
		{"unknown type", func(r *clickhouse.EventRow) { r.Type = "door" }, "column type"},
		{"unknown kind", func(r *clickhouse.EventRow) { r.Kind = "frown" }, "column kind"},
		{"time before 1970", func(r *clickhouse.EventRow) { r.Time = time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC) }, "time = "},
		{"received unset", func(r *clickhouse.EventRow) { r.Received = time.Time{} }, "received = "},
		{"value too big", func(r *clickhouse.EventRow) { r.Value = 256 }, "value = 256"},
		{"negative in", func(r *clickhouse.EventRow) { r.In = -1 }, "in = -1"},
		{"out too big", func(r *clickhouse.EventRow) { r.Out = 1 << 32 }, "out = 4294967296"},
		{"items too big", func(r *clickhouse.EventRow) { r.Items = 1 << 31 }, "items = 2147483648"},
		{"partition too big", func(r *clickhouse.EventRow) { r.KafkaPartition = 65536 }, "kafka_partition = 65536"},
		{"negative offset", func(r *clickhouse.EventRow) { r.KafkaOffset = -1 }, "kafka_offset = -1"},
		{"nps negative", func(r *clickhouse.EventRow) { r.Answers = &event.Answers{NPS: intp(-1)} }, "answers.nps = -1"},
		{"q negative", func(r *clickhouse.EventRow) { r.Answers = &event.Answers{Q: [11]int8{10: -2}} }, "answers.q11 = -2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := ok
			bad.ID = "bad"
			tt.mutate(&bad)
			err := clickhouse.InsertEvents(context.Background(), conn, cfg.Database, []clickhouse.EventRow{ok, bad})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
	var n uint64
	if err := conn.QueryRow(context.Background(), "SELECT count() FROM "+clickhouse.Ident(cfg.Database)+".events").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d rows written by rejected batches, want 0", n)
	}
}

func BenchmarkInsertEvents100k(b *testing.B) {
	conn, cfg := testutil.ClickHouse(b)
	at := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	rows := make([]clickhouse.EventRow, 100_000)
	for i := range rows {
		e := event.Event{ID: fmt.Sprintf("e-%07d", i), Location: fmt.Sprintf("loc-%02d", i%20), Device: "d", Time: at.Add(time.Duration(i) * time.Second)}
		switch i % 4 {
		case 0:
			e.Type, e.Kind, e.Value, e.Scale = event.TypeButton, event.KindSmiley, 1+i%5, 5
		case 1:
			e.Type, e.In, e.Out = event.TypeCounter, int64(i%7), int64(i%5)
		case 2:
			e.Type, e.Receipt, e.Amount, e.Items, e.Currency = event.TypePOS, "R", event.Amount(i), 1+i%9, "EUR"
		case 3:
			e.Type, e.Survey, e.Answers = event.TypeSurvey, "s", &event.Answers{NPS: intp(i % 11), Comment: "ok"}
		}
		rows[i] = clickhouse.EventRow{Event: e, Received: e.Time, KafkaPartition: int32(i % 12), KafkaOffset: int64(i)}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := clickhouse.InsertEvents(context.Background(), conn, cfg.Database, rows); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(rows)*b.N)/b.Elapsed().Seconds(), "rows/s")
}
