package query

import (
	"fmt"
	"slices"
	"strings"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/cxm-project/cxm/internal/clickhouse"
)

// This file is pure query building: from a validated request and its resolved members to SQL text and
// bound arguments, with no I/O, so every edge case is a table test (plan_test.go).
//
// How a figure stays exact and fast: the components of a bucket are the sum of kpi_hour rows for the whole
// hours inside it plus kpi_minute rows for the minutes of the ragged edges. kpi_hour is fed by a
// materialized view from every insert into kpi_minute (005_kpi_hour.sql), so the two tables hold the same
// sums and any split of a range into hours and minutes adds up to the same components.

// bucketing turns a timestamp column into a bucket number (Int64) in SQL and a bucket number back into the
// bucket's start in Go.
type bucketing struct {
	step Step
	tz   *time.Location // day steps only
	from time.Time      // zero step: the one bucket starts at from
}

// expr is the SQL of the bucket number of the DateTime column col, and its arguments.
func (b bucketing) expr(col string) (string, []any) {
	switch {
	case b.step.Days > 0:
		// toRelativeDayNum in the zone is the local calendar day since 1970-01-01; +3 makes day 0 of the
		// grid Monday 1970-01-05 (day 4), so 7-day buckets are ISO weeks.
		return "toInt64(intDiv(toRelativeDayNum(" + col + ", ?) + 3, ?))", []any{b.tz.String(), uint32(b.step.Days)}
	case b.step.Minutes > 0:
		return "toInt64(intDiv(toUInt32(" + col + "), ?))", []any{uint32(b.step.seconds())}
	}
	return "toInt64(0)", nil
}

// start is the start of bucket number n.
func (b bucketing) start(n int64) time.Time {
	switch {
	case b.step.Days > 0:
		return time.Date(1970, 1, 1+int(n)*b.step.Days-3, 0, 0, 0, 0, b.tz).UTC()
	case b.step.Minutes > 0:
		return time.Unix(n*b.step.seconds(), 0).UTC()
	}
	return b.from.UTC()
}

// starts lists the starts of the buckets that overlap [from, to); the first may start before from (its
// figure still counts only what lies inside the range).
func (b bucketing) starts(from, to time.Time) []time.Time {
	switch {
	case b.step.Days > 0:
		y, m, d := from.In(b.tz).Date()
		day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
		n := floorDiv(day+3, int64(b.step.Days))
		var out []time.Time
		for t := b.start(n); t.Before(to); t = b.start(n) {
			out = append(out, t)
			n++
		}
		return out
	case b.step.Minutes > 0:
		s := b.step.seconds()
		var out []time.Time
		for u := floorDiv(from.Unix(), s) * s; u < to.Unix(); u += s {
			out = append(out, time.Unix(u, 0).UTC())
		}
		return out
	}
	return []time.Time{from.UTC()}
}

// first is the number of the first bucket starts(from, …) lists: bucket first+i starts at starts[i].
func (b bucketing) first(from time.Time) int64 {
	switch {
	case b.step.Days > 0:
		y, m, d := from.In(b.tz).Date()
		day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
		return floorDiv(day+3, int64(b.step.Days))
	case b.step.Minutes > 0:
		return floorDiv(from.Unix(), b.step.seconds())
	}
	return 0
}

// countStarts is len(starts) without building it, to check the point limit before allocating.
func (b bucketing) countStarts(from, to time.Time) int64 {
	switch {
	case b.step.Days > 0:
		// A calendar day is 23..25 hours; one extra bucket covers the partial ones at both ends.
		return int64(to.Sub(from)/(23*time.Hour))/int64(b.step.Days) + 2
	case b.step.Minutes > 0:
		s := b.step.seconds()
		return (to.Unix()-1)/s - floorDiv(from.Unix(), s) + 1
	}
	return 1
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// sqlQuery is one statement and its bound arguments.
type sqlQuery struct {
	SQL  string
	Args []any
	// bucketing decodes the b column of the result; starts are its buckets over the request's range, the
	// first numbered bucketing.first.
	bucketing bucketing
	starts    []time.Time
	// hoursFrom, hoursTo are the whole hours read from an hourly table (zero: minutes only).
	hoursFrom, hoursTo time.Time
}

// split is how [from, to) divides between kpi_hour and kpi_minute for one bucketing.
type split struct {
	hoursFrom, hoursTo time.Time   // whole hours [hoursFrom, hoursTo) read from kpi_hour; empty when equal
	excluded           []time.Time // hours inside that range read from kpi_minute (a bucket boundary cuts them)
}

// splitRange decides which hours kpi_hour can answer. It can when every bucket boundary inside an hour's
// span is on the hour: always for the whole range and for steps of whole hours; for day steps, except
// where the zone's offset is not whole hours (India's +05:30: each day boundary cuts an hour, which is
// then read from minutes). Steps that are not whole hours read minutes only.
func splitRange(from, to time.Time, b bucketing, bounds []time.Time) split {
	if b.step.Minutes > 0 && b.step.Minutes%60 != 0 {
		return split{}
	}
	h0 := time.Unix(ceilDiv(from.Unix(), 3600)*3600, 0).UTC()
	h1 := time.Unix(floorDiv(to.Unix(), 3600)*3600, 0).UTC()
	if !h0.Before(h1) {
		return split{}
	}
	s := split{hoursFrom: h0, hoursTo: h1}
	for _, t := range bounds {
		if !t.After(from) || !t.Before(to) || t.Unix()%3600 == 0 {
			continue
		}
		h := time.Unix(floorDiv(t.Unix(), 3600)*3600, 0).UTC()
		if !h.Before(h0) && h.Before(h1) && !slices.ContainsFunc(s.excluded, h.Equal) {
			s.excluded = append(s.excluded, h)
		}
	}
	return s
}

func ceilDiv(a, b int64) int64 { return -floorDiv(-a, b) }

// group is the locations one statement covers: for day steps those sharing a time zone (the zone is a
// constant of the SQL), otherwise all.
type group struct {
	tz      *time.Location
	members []member
}

// buildKPIQuery is the statement for one group: sums of the needed columns per series key and bucket.
// With total, the whole hours come from kpi_hour_total (every location together) instead of kpi_hour; the
// caller sets it only for group=all when no location outside the selection has data in those hours
// (coverQuery), so the two give the same sums.
//
// Each table's rows are summed per key and bucket where they are read (a GROUP BY on the bucket number
// alone for group=all, which ClickHouse hashes as one integer), and the two partial sums of a bucket that
// has both whole hours and ragged minutes are added by an outer GROUP BY over the few grouped rows.
func buildKPIQuery(database string, g group, r *Request, cols []int, total bool) sqlQuery {
	b := bucketing{step: r.Step, tz: g.tz, from: r.From}
	bounds := b.starts(r.From, r.To)
	sp := splitRange(r.From, r.To, b, bounds)

	ids := make([]any, len(g.members))
	for i, m := range g.members {
		ids[i] = m.id
	}
	inLocations := ch.GroupSet{Value: ids}

	var keyExpr, groupBy string
	var keyArgs []any
	switch r.Group {
	case GroupAll:
		keyExpr, groupBy = "''", "b"
	case GroupRegion:
		from, to := make([]string, len(g.members)), make([]string, len(g.members))
		for i, m := range g.members {
			from[i], to[i] = m.id, m.key
		}
		keyExpr, keyArgs, groupBy = "transform(location, ?, ?, '')", []any{from, to}, "key, b"
	default:
		keyExpr, groupBy = "toString(location)", "key, b"
		if len(g.members) == 1 {
			// One location: its id is a constant and the rows group on the bucket number alone.
			keyExpr, keyArgs, groupBy = "?", []any{g.members[0].id}, "b"
		}
	}

	sums := make([]string, len(cols))
	for i, c := range cols {
		sums[i] = fmt.Sprintf("sum(%s) AS s%d", clickhouse.Ident(columns[c].Name), i)
	}
	sumList := strings.Join(sums, ", ")
	db := clickhouse.Ident(database)

	var sb strings.Builder
	var args []any
	branch := func(table, tsCol string, byLocation bool, where string, whereArgs []any) {
		bExpr, bArgs := b.expr(tsCol)
		fmt.Fprintf(&sb, "SELECT %s AS key, %s AS b, %s FROM %s.%s WHERE ", keyExpr, bExpr, sumList, db, table)
		args = append(args, keyArgs...)
		args = append(args, bArgs...)
		if byLocation {
			sb.WriteString("location IN ? AND ")
			args = append(args, inLocations)
		}
		sb.WriteString(where + " GROUP BY " + groupBy)
		args = append(args, whereArgs...)
	}
	q := sqlQuery{bucketing: b, starts: bounds, hoursFrom: sp.hoursFrom, hoursTo: sp.hoursTo}

	if sp.hoursFrom.IsZero() {
		branch("kpi_minute", "minute", true, "minute >= ? AND minute < ?", []any{r.From.UTC(), r.To.UTC()})
		q.SQL, q.Args = sb.String(), args
		return q
	}
	hourTable := "kpi_hour"
	if total {
		hourTable = "kpi_hour_total"
	}
	hourWhere, hourArgs := "hour >= ? AND hour < ?", []any{sp.hoursFrom, sp.hoursTo}
	if len(sp.excluded) > 0 {
		hourWhere += " AND hour NOT IN ?"
		hourArgs = append(hourArgs, timeSet(sp.excluded))
	}
	if sp.hoursFrom.Equal(r.From) && sp.hoursTo.Equal(r.To) && len(sp.excluded) == 0 {
		// No ragged minutes: kpi_minute is not read at all (even an empty range of it costs an index
		// analysis per location).
		branch(hourTable, "hour", !total, hourWhere, hourArgs)
		q.SQL, q.Args = sb.String(), args
		return q
	}
	outer := make([]string, len(cols))
	for i := range cols {
		outer[i] = fmt.Sprintf("sum(s%d) AS s%d", i, i)
	}
	sb.WriteString("SELECT key, b, " + strings.Join(outer, ", ") + " FROM (\n  ")
	branch(hourTable, "hour", !total, hourWhere, hourArgs)
	sb.WriteString("\n  UNION ALL\n  ")
	where := "minute >= ? AND minute < ? AND (minute < ? OR minute >= ?"
	wargs := []any{r.From.UTC(), r.To.UTC(), sp.hoursFrom, sp.hoursTo}
	if len(sp.excluded) > 0 {
		where += " OR toStartOfHour(minute) IN ?"
		wargs = append(wargs, timeSet(sp.excluded))
	}
	branch("kpi_minute", "minute", true, where+")", wargs)
	sb.WriteString("\n) GROUP BY key, b")
	q.SQL, q.Args = sb.String(), args
	return q
}

// coverQuery counts the locations outside ms that have data on the UTC days of [from, to) (a superset of
// the range, so a zero is conclusive): when it is zero, the sums over every location (kpi_hour_total)
// equal the sums over ms. kpi_day has one row per location and day, so this reads 1/24 of what
// kpi_hour would.
func coverQuery(database string, ms []member, from, to time.Time) sqlQuery {
	ids := make([]any, len(ms))
	for i, m := range ms {
		ids[i] = m.id
	}
	const day = "2006-01-02"
	return sqlQuery{
		SQL:  "SELECT count() FROM " + clickhouse.Ident(database) + ".kpi_day WHERE day >= toDate(?) AND day <= toDate(?) AND location NOT IN ?",
		Args: []any{from.UTC().Format(day), to.Add(-time.Second).UTC().Format(day), ch.GroupSet{Value: ids}},
	}
}

func timeSet(ts []time.Time) ch.GroupSet {
	v := make([]any, len(ts))
	for i, t := range ts {
		v[i] = t
	}
	return ch.GroupSet{Value: v}
}

// groups splits the members by the time zone their buckets follow; only day steps depend on it.
func groups(ms []member, st Step) []group {
	if st.Days == 0 {
		return []group{{tz: time.UTC, members: ms}}
	}
	var gs []group
	at := map[string]int{}
	for _, m := range ms {
		name := m.tz.String()
		i, ok := at[name]
		if !ok {
			i = len(gs)
			at[name] = i
			gs = append(gs, group{tz: m.tz})
		}
		gs[i].members = append(gs[i].members, m)
	}
	return gs
}
