package writer

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/processor/buckets"
	"github.com/cxm-project/cxm/processor/fence"
)

// rollup is one table that a materialized view fills from every block inserted into kpi_minute
// (schemas/clickhouse/005..007). Such an INSERT is not atomic with its views: kpi_minute's part is
// committed first, then each view's block is written; a view that fails, or a client that gave up while
// the server was between the two, leaves kpi_minute (and its marks) in and the rollup short. The writer
// repairs that: see RepairRollups.
type rollup struct {
	table string
	// key is the rollup's period column and how it derives from kpi_minute's minute.
	key, fromMinute string
	perLocation     bool
	minuteRows      bool // kpi_day counts the kpi_minute rows it sums
}

var rollups = []rollup{
	{table: "kpi_5m", key: "five_minute", fromMinute: "toStartOfFiveMinute(minute)", perLocation: true},
	{table: "kpi_hour", key: "hour", fromMinute: "toStartOfHour(minute)", perLocation: true},
	{table: "kpi_day", key: "day", fromMinute: "toDate(minute)", perLocation: true, minuteRows: true},
	{table: "kpi_hour_total", key: "hour", fromMinute: "toStartOfHour(minute)"},
}

// RepairRollups makes every rollup equal the sums of kpi_minute for the periods of the given location
// minutes: per rollup key it reads both sides and inserts the difference (rollups are summed, so a row of
// differences completes the period). Idempotent: a period that is already exact gets nothing. Called
// after a kpi_minute insert whose outcome was not a success (a view may have missed the block) once the
// insert is known to be in, and on assignment for the partition's newest flush (its writer may have died
// before repairing). The per-location rollups are written only by the owner of the location's partition,
// so reading and repairing them races with nobody; kpi_hour_total sums every partition (see the README's
// limits).
func RepairRollups(ctx context.Context, conn driver.Conn, database string, minutes []buckets.MinuteKey) error {
	if len(minutes) == 0 {
		return nil
	}
	locs := map[string]bool{}
	lo, hi := minutes[0].Minute, minutes[0].Minute
	for _, m := range minutes {
		locs[m.Location] = true
		lo, hi = min(lo, m.Minute), max(hi, m.Minute)
	}
	// Whole days around the minutes cover every period of every rollup they fall in.
	from, to := time.Unix(lo, 0).UTC().Truncate(24*time.Hour), time.Unix(hi, 0).UTC().Truncate(24*time.Hour).Add(24*time.Hour)
	touched := map[string]bool{}
	for _, r := range rollups {
		for _, m := range minutes {
			touched[r.table+"|"+periodKey(r, m)] = true
		}
	}
	locList := make([]string, 0, len(locs))
	for l := range locs {
		locList = append(locList, clickhouse.Quote(l))
	}
	slices.Sort(locList)
	db := clickhouse.Ident(database)
	for _, r := range rollups {
		cond := ""
		if r.perLocation {
			cond = " AND location IN (" + strings.Join(locList, ",") + ")"
		}
		loc := "''"
		if r.perLocation {
			loc = "location"
		}
		// Only the touched periods are summed (the scan is bounded by the whole days around them).
		periods := map[string]bool{}
		for _, m := range minutes {
			_, p, _ := strings.Cut(periodKey(r, m), "|")
			periods[p] = true
		}
		list := slices.Sorted(maps.Keys(periods))
		in := " IN (" + strings.Join(list, ",") + ")"
		sums := "sum(" + strings.Join(columnNames(), "), sum(") + ")"
		minuteRows, minuteRowsSum := "", ""
		if r.minuteRows {
			minuteRows, minuteRowsSum = ", toInt64(count())", ", toInt64(sum(minute_rows))"
		}
		want, err := readSums(ctx, conn, "SELECT "+loc+", "+utc(r.fromMinute)+" AS p, "+sums+minuteRows+" FROM "+db+
			".kpi_minute WHERE minute >= ? AND minute < ? AND toUInt32(toDateTime("+r.fromMinute+"))"+in+cond+" GROUP BY "+loc+", p", from, to)
		if err != nil {
			return fmt.Errorf("repair %s: %w", r.table, err)
		}
		have, err := readSums(ctx, conn, "SELECT "+loc+", "+utc(r.key)+" AS p, "+sums+minuteRowsSum+" FROM "+db+"."+r.table+
			" WHERE "+r.key+" >= "+keyBound(r, "?")+" AND "+r.key+" < "+keyBound(r, "?")+" AND "+utc(r.key)+in+cond+" GROUP BY "+loc+", p", from, to)
		if err != nil {
			return fmt.Errorf("repair %s: %w", r.table, err)
		}
		var fix []sumRow
		for k, w := range want {
			if !touched[r.table+"|"+k] {
				continue
			}
			h := have[k]
			d := sumRow{loc: w.loc, period: w.period, vals: make([]int64, len(w.vals))}
			nonzero := false
			for i := range w.vals {
				var hv int64
				if h.vals != nil {
					hv = h.vals[i]
				}
				d.vals[i] = w.vals[i] - hv
				nonzero = nonzero || d.vals[i] != 0
			}
			if nonzero {
				fix = append(fix, d)
			}
		}
		if len(fix) == 0 {
			continue
		}
		if err := insertFix(ctx, conn, database, r, fix); err != nil {
			return err
		}
	}
	return nil
}

// utc is a period expression as unix seconds: a Date (kpi_day) is taken as its UTC midnight whatever the
// server's time zone.
func utc(expr string) string { return "toUInt32(toDateTime(" + expr + ", 'UTC'))" }

func keyBound(r rollup, ph string) string {
	if r.key == "day" {
		return "toDate(" + ph + ")"
	}
	return ph
}

func periodKey(r rollup, m buckets.MinuteKey) string {
	t := time.Unix(m.Minute, 0).UTC()
	var p time.Time
	switch r.key {
	case "five_minute":
		p = t.Truncate(5 * time.Minute)
	case "hour":
		p = t.Truncate(time.Hour)
	default:
		p = t.Truncate(24 * time.Hour)
	}
	loc := ""
	if r.perLocation {
		loc = m.Location
	}
	return fmt.Sprintf("%s|%d", loc, p.Unix())
}

type sumRow struct {
	loc    string
	period uint32
	vals   []int64
}

func readSums(ctx context.Context, conn driver.Conn, q string, args ...any) (map[string]sumRow, error) {
	rows, err := conn.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]sumRow{}
	n := len(rows.Columns()) - 2
	for rows.Next() {
		r := sumRow{vals: make([]int64, n)}
		dst := []any{&r.loc, &r.period}
		for i := range r.vals {
			dst = append(dst, &r.vals[i])
		}
		if err := rows.Scan(dst...); err != nil {
			return nil, err
		}
		out[fmt.Sprintf("%s|%d", r.loc, r.period)] = r
	}
	return out, rows.Err()
}

func insertFix(ctx context.Context, conn driver.Conn, database string, r rollup, fix []sumRow) error {
	names := []string{}
	if r.perLocation {
		names = append(names, "location")
	}
	names = append(names, r.key)
	if r.minuteRows {
		names = append(names, "minute_rows")
	}
	names = append(names, columnNames()...)
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = clickhouse.Ident(n)
	}
	b, err := conn.PrepareBatch(tagged(ctx), "INSERT INTO "+clickhouse.Ident(database)+"."+r.table+" ("+strings.Join(q, ", ")+")")
	if err != nil {
		return fmt.Errorf("repair %s: %w", r.table, err)
	}
	defer b.Close()
	for _, f := range fix {
		row := []any{}
		if r.perLocation {
			row = append(row, f.loc)
		}
		row = append(row, time.Unix(int64(f.period), 0).UTC())
		vals := f.vals
		if r.minuteRows {
			// minute_rows only ever grows by what a view missed: never negative here.
			row = append(row, uint64(max(0, vals[len(vals)-1])))
			vals = vals[:len(vals)-1]
		}
		for _, v := range vals {
			row = append(row, v)
		}
		if err := b.Append(row...); err != nil {
			return fmt.Errorf("repair %s: %w", r.table, err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("repair %s: %w", r.table, err)
	}
	return nil
}

func columnNames() []string {
	out := make([]string, len(kpi.Columns))
	for i, c := range kpi.Columns {
		out[i] = c.Name
	}
	return out
}

// RepairNewestMinutes repairs the rollups for each partition's newest flush, the one whose kpi_minute rows
// carry the partition's mark: its writer may have ended (crash, eviction) between a kpi_minute insert that
// did not return success and the repair. Only the newest flush can need it: a flush's marks are written
// only after the previous flush is in and repaired. keys are those flushes' minutes (buckets.ReadAssignment
// reads them within a bounded range of minutes), parts the partitions they wrote for (the inserts are
// fenced for them).
func RepairNewestMinutes(ctx context.Context, conn driver.Conn, database string, parts []int32, keys []buckets.MinuteKey) error {
	return RepairRollups(withParts(ctx, slices.Sorted(slices.Values(parts))), conn, database, keys)
}

// fencedParts carries the partitions a repair writes for, so each of its inserts gets a query id a new
// owner of them waits for (fence.QueryID; one id per statement, as the server refuses an id while a
// statement under it is still listed).
type fencedParts struct{}

// withParts marks ctx's repairs as writing for parts.
func withParts(ctx context.Context, parts []int32) context.Context {
	return context.WithValue(ctx, fencedParts{}, parts)
}

func tagged(ctx context.Context) context.Context {
	parts, ok := ctx.Value(fencedParts{}).([]int32)
	if !ok {
		return ctx
	}
	return ch.Context(ctx, ch.WithQueryID(fence.QueryID(parts)))
}
