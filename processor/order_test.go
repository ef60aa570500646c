package processor_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/testutil"
)

// multiset is one set of events with copies: hammered buttons (presses less than the repeat interval
// apart, some in the same second), presses days late, duplicates of any of them, receipts and refunds,
// counters and surveys, all within the allowed lateness of each other (an event dead-lettered as too late
// depends on arrival by definition, see TestReplayExact for those).
func multiset(seed uint64, n int, base time.Time) []msg {
	r := rand.New(rand.NewPCG(seed, seed+1))
	var out []msg
	for i := 0; len(out) < n; i++ {
		loc := fmt.Sprintf("shop:o-%d", r.IntN(5))
		t := base.Add(-time.Duration(r.IntN(4*24*3600)) * time.Second)
		e := event.Event{ID: fmt.Sprintf("o%d-%d", seed, i), Location: loc, Time: t}
		switch k := r.IntN(10); {
		case k < 6: // a burst on one device: 1..6 presses 0..4 s apart
			dev := fmt.Sprintf("btn-%d", r.IntN(2))
			for j := range 1 + r.IntN(6) {
				p := e
				p.ID = fmt.Sprintf("%s-%d", e.ID, j)
				p.Type, p.Device = event.TypeButton, dev
				t = t.Add(time.Duration(r.IntN(4000)) * time.Millisecond)
				p.Time = t
				switch r.IntN(3) {
				case 0:
					p.Kind, p.Scale = event.KindSmiley, 3+r.IntN(3)
					p.Value = 1 + r.IntN(p.Scale)
				case 1:
					p.Kind, p.Subject = event.KindLike, []string{"queue", "staff"}[r.IntN(2)]
				default:
					p.Kind, p.Subject = event.KindDislike, []string{"queue", "staff"}[r.IntN(2)]
				}
				out = append(out, msg{e: p})
			}
			continue
		case k < 8:
			e.Type, e.Device = event.TypePOS, "pos-1"
			e.Receipt, e.Amount, e.Items, e.Currency = fmt.Sprintf("R-%d", i), event.Amount(100+r.IntN(90000)), 1+r.IntN(5), "EUR"
			e.Refund = r.IntN(4) == 0
		case k < 9:
			e.Type, e.Device, e.In, e.Out = event.TypeCounter, "door-1", int64(r.IntN(9)), int64(r.IntN(9))
		default:
			e.Type, e.Survey = event.TypeSurvey, "after-visit"
			e.Answers = &event.Answers{NPS: ptr(r.IntN(11)), CSAT: ptr(1 + r.IntN(5))}
		}
		out = append(out, msg{e: e})
	}
	// duplicates of any of them, anywhere
	for range len(out) / 10 {
		out = append(out, out[r.IntN(len(out))])
	}
	return out
}

// TestOrderIndependence replays random permutations of one multiset of events and requires every figure
// of kpi_minute, like_minute and every rollup to equal the test's reference computed in event-time order
// (expect): which press of a device is the repeat, which copy of an id counts, must not depend on arrival.
func TestOrderIndependence(t *testing.T) {
	base := time.Now().UTC().Add(-2 * time.Hour).Truncate(time.Second)
	set := multiset(7, 3000, base)
	truth := expect(set)
	runs := 4
	if testing.Short() {
		runs = 2
	}
	r := rand.New(rand.NewPCG(11, 13))
	for i := range runs {
		perm := slices.Clone(set)
		if i > 0 { // the first run is the generated order, the others shuffled
			r.Shuffle(len(perm), func(a, b int) { perm[a], perm[b] = perm[b], perm[a] })
		}
		t.Run(fmt.Sprintf("perm%d", i), func(t *testing.T) {
			kc := testutil.Kafka(t)
			conn, ch := testutil.ClickHouse(t)
			x := expect(perm)
			// The figures are the same for every order; only the raw rows' repeat flags (judged on
			// arrival) may differ.
			if !equalFigures(x, truth) {
				t.Fatal("the reference itself depends on the order")
			}
			produce(t, kc, perm)
			stop := startProcessor(t, testConfig(t, kc, ch, "order"))
			waitCaughtUp(t, conn, ch.Database, endOffsets(t, kc), 2*time.Minute)
			stop()
			check(t, conn, ch.Database, x) // every rollup too
		})
	}
}

func equalFigures(a, b expected) bool {
	if len(a.minutes) != len(b.minutes) || len(a.likes) != len(b.likes) || a.stored != b.stored {
		return false
	}
	for k, v := range a.minutes {
		if b.minutes[k] != v {
			return false
		}
	}
	for k, v := range a.likes {
		if b.likes[k] != v {
			return false
		}
	}
	return true
}

// rollups are the tables fed from kpi_minute by materialized views, each with the expression of its key
// over kpi_minute's columns.
var rollups = []struct{ table, keys, fromMinute string }{
	{"kpi_5m", "location, toUInt32(five_minute)", "location, toUInt32(toStartOfFiveMinute(minute))"},
	{"kpi_hour", "location, toUInt32(hour)", "location, toUInt32(toStartOfHour(minute))"},
	{"kpi_day", "location, toUInt32(toDateTime(day))", "location, toUInt32(toDateTime(toDate(minute)))"},
	{"kpi_hour_total", "'', toUInt32(hour)", "'', toUInt32(toStartOfHour(minute))"},
}

// checkRollups requires every rollup to hold exactly the sums of kpi_minute, per its key (and kpi_day's
// minute_rows the count of kpi_minute rows).
func checkRollups(t testing.TB, conn driver.Conn, db string) {
	t.Helper()
	sums := "sum(" + strings.Join(columnNames, "), sum(") + ")"
	for _, r := range rollups {
		extra, extraMinute := "", ""
		if r.table == "kpi_day" {
			extra, extraMinute = ", sum(minute_rows)", ", count()"
		}
		got := rollupRows(t, conn, "SELECT "+r.keys+", "+sums+extra+" FROM "+clickhouse.Ident(db)+"."+r.table+" GROUP BY "+r.keys)
		want := rollupRows(t, conn, "SELECT "+r.fromMinute+", "+sums+extraMinute+" FROM "+clickhouse.Ident(db)+".kpi_minute GROUP BY "+r.fromMinute)
		bad := 0
		// A SummingMergeTree drops a key whose sums are all zero when it merges: missing means zeros.
		zero := func(v []int64) bool { return !slices.ContainsFunc(v, func(x int64) bool { return x != 0 }) }
		for k, w := range want {
			if g, ok := got[k]; !ok && zero(w) || ok && slices.Equal(g, w) {
				continue
			}
			if bad++; bad <= 3 {
				t.Errorf("%s %s: got %v, want the kpi_minute sums %v", r.table, k, got[k], w)
			}
		}
		for k, g := range got {
			if _, ok := want[k]; !ok && !zero(g) {
				if bad++; bad <= 3 {
					t.Errorf("%s %s: %v, not in kpi_minute", r.table, k, g)
				}
			}
		}
		if bad > 0 {
			t.Errorf("%s: %d of %d keys differ from kpi_minute", r.table, bad, len(want))
		}
		if len(want) == 0 {
			t.Errorf("kpi_minute is empty: nothing compared")
		}
	}
}

func rollupRows(t testing.TB, conn driver.Conn, q string) map[string][]int64 {
	t.Helper()
	rows, err := conn.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]int64{}
	cols := rows.Columns()
	for rows.Next() {
		var (
			loc string
			key uint32
		)
		vals := make([]int64, len(cols)-2)
		var rowsCount uint64
		dst := []any{&loc, &key}
		for i := range vals {
			dst = append(dst, &vals[i])
		}
		if len(vals) > len(columnNames) {
			dst[len(dst)-1] = &rowsCount
		}
		if err := rows.Scan(dst...); err != nil {
			t.Fatal(err)
		}
		if len(vals) > len(columnNames) {
			vals[len(vals)-1] = int64(rowsCount)
		}
		out[fmt.Sprintf("%s|%d", loc, key)] = vals
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
