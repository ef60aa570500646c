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
// hours inside it, kpi_5m rows for whole 5-minute periods where hours do not fit the buckets, and
// kpi_minute rows for the minutes of the ragged edges (planLevels). kpi_hour and kpi_5m are fed by
// materialized views from every insert into kpi_minute (005_kpi_hour.sql, 007_kpi_5m.sql), so the three
// tables hold the same sums and any split of a range into hours, 5-minute periods and minutes adds up to
// the same components.

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
	// hoursFrom, hoursTo is the span of whole hours read from an hourly table (zero: no hourly table).
	hoursFrom, hoursTo time.Time
	// key is the series key of every row when the statement has one (group=all, or one location): the
	// result then has no key column, which saves a string per row. keyed says the key is a column.
	key   string
	keyed bool
}

// table is kpi_minute or one of its rollups: the components of a location summed per period, the rollups
// fed by a materialized view from every insert into kpi_minute (005, 007).
type table struct {
	name, col string // the table and its period-start column
	startOf   string // the SQL function from a finer period's start to the start of this table's period
	period    int64  // seconds
}

var (
	hourTable   = table{name: "kpi_hour", col: "hour", startOf: "toStartOfHour", period: 3600}
	fiveTable   = table{name: "kpi_5m", col: "five_minute", startOf: "toStartOfFiveMinute", period: 300}
	minuteTable = table{name: "kpi_minute", col: "minute", startOf: "toStartOfMinute", period: 60}
)

// level is what one table answers of a range: its whole periods in [from, to) except cut, and except
// what the coarser levels before it answered.
type level struct {
	table
	from, to time.Time   // whole periods; from < to
	cut      []time.Time // periods in [from, to) a bucket boundary falls inside, left to a finer table
}

// periods is how many periods the level answers together with the coarser levels before it (the set
// [from, to) minus cut, which holds theirs: see planLevels).
func (l level) periods() int64 {
	return (l.to.Unix()-l.from.Unix())/l.period - int64(len(l.cut))
}

// planLevels divides [from, to) between the tables, coarsest first, so that every minute is read from
// exactly one table and no period read from a rollup holds a bucket boundary (its rows go to one bucket).
//
//   - kpi_hour answers the whole hours for steps of whole hours, day steps and the whole range. For day
//     steps in a zone whose offset is not whole hours (India's +05:30) each day boundary cuts an hour.
//   - kpi_5m answers the whole 5-minute periods for other steps of whole 5 minutes (5m, 10m, 15m, 90m),
//     and the hours a day boundary cuts (when a rollup is read anyway it also takes the whole 5-minute
//     periods at the range's edges).
//   - kpi_minute answers the rest: the ragged edges, and every minute for other steps (7m).
//
// Ragged edges alone never add a rollup: they are under an hour at each end, which kpi_minute answers
// from about one granule, while each table read costs an index analysis.
//
// The levels nest: each level's [from, to) holds the previous level's, and its cut periods lie in the
// previous level's cut periods (a boundary inside a 5-minute period is inside its hour). So "[from, to)
// minus cut" of a level is everything it and the coarser levels answer together, and a level reads that
// minus the same set of the level before it (levelWhere).
func planLevels(from, to time.Time, b bucketing, bounds []time.Time) []level {
	var tables []table
	switch s := b.step.seconds(); {
	case b.step.Minutes > 0 && s%hourTable.period == 0:
		tables = []table{hourTable}
	case b.step.Minutes > 0 && s%fiveTable.period == 0:
		tables = []table{fiveTable}
	case b.step.Minutes > 0:
	default:
		tables = []table{hourTable, fiveTable}
	}
	var levels []level
	for _, t := range tables {
		l := level{table: t, from: ceilTime(from, t.period), to: floorTime(to, t.period)}
		if !l.from.Before(l.to) {
			continue
		}
		for _, x := range bounds {
			if !x.After(from) || !x.Before(to) || x.Unix()%t.period == 0 {
				continue
			}
			c := floorTime(x, t.period)
			if !c.Before(l.from) && c.Before(l.to) && !slices.ContainsFunc(l.cut, c.Equal) {
				l.cut = append(l.cut, c)
			}
		}
		if len(tables) == 2 && t == fiveTable && (len(levels) == 0 || len(levels[0].cut) == 0) {
			continue // no hour is cut: kpi_5m would only take ragged edges
		}
		if len(levels) > 0 && l.periods()*l.period == levels[len(levels)-1].periods()*levels[len(levels)-1].period {
			continue // nothing the coarser level did not answer (every 5 minutes of the cut hours cut too)
		}
		levels = append(levels, l)
	}
	if len(levels) > 0 && levels[0].periods() == 0 {
		levels = levels[1:] // every hour cut: the finer levels read as if there were no hourly one
	}
	answered := int64(0)
	if len(levels) > 0 {
		last := levels[len(levels)-1]
		answered = last.periods() * last.period
	}
	if answered < to.Unix()-from.Unix() {
		levels = append(levels, level{table: minuteTable, from: from, to: to})
	}
	return levels
}

// levelWhere is the condition on l's table that selects what l reads: its periods in [from, to) outside
// cut and outside what prev (the level before it, nil for the first) and the levels before prev answer.
func levelWhere(l level, prev *level) (string, []any) {
	col := l.col
	where := col + " >= ? AND " + col + " < ?"
	args := []any{l.from.UTC(), l.to.UTC()}
	if len(l.cut) > 0 {
		where += " AND " + col + " NOT IN ?"
		args = append(args, timeSet(l.cut))
	}
	if prev != nil {
		where += " AND (" + col + " < ? OR " + col + " >= ?"
		args = append(args, prev.from.UTC(), prev.to.UTC())
		if len(prev.cut) > 0 {
			where += " OR " + prev.startOf + "(" + col + ") IN ?"
			args = append(args, timeSet(prev.cut))
		}
		where += ")"
	}
	return where, args
}

func ceilDiv(a, b int64) int64 { return -floorDiv(-a, b) }

func floorTime(t time.Time, period int64) time.Time {
	return time.Unix(floorDiv(t.Unix(), period)*period, 0).UTC()
}

func ceilTime(t time.Time, period int64) time.Time {
	return time.Unix(ceilDiv(t.Unix(), period)*period, 0).UTC()
}

// group is the locations one statement covers: for day steps those sharing a time zone (the zone is a
// constant of the SQL), otherwise all.
type group struct {
	tz      *time.Location
	members []member
}

// buildKPIQuery is the statement for one group: sums of the needed columns per series key and bucket,
// over the levels of planLevels. With total, the whole hours come from kpi_hour_total (every location
// together) instead of kpi_hour; the caller sets it only for group=all when no location outside the
// selection has data in those hours (coverQuery), so the two give the same sums.
//
// Each table's rows are summed per key and bucket where they are read (a GROUP BY on the bucket number
// alone for group=all, which ClickHouse hashes as one integer), and the partial sums of a bucket that
// several tables answer are added by an outer GROUP BY over the few grouped rows.
func buildKPIQuery(database string, g group, r *Request, cols []int, total bool) sqlQuery {
	b := bucketing{step: r.Step, tz: g.tz, from: r.From}
	bounds := b.starts(r.From, r.To)
	levels := planLevels(r.From, r.To, b, bounds)

	ids := make([]any, len(g.members))
	for i, m := range g.members {
		ids[i] = m.id
	}
	inLocations := ch.GroupSet{Value: ids}

	q := sqlQuery{bucketing: b, starts: bounds}
	// keyCol is the key column and its comma ("" when every row has the key q.key), groupBy the grouping.
	var keyCol, groupBy string
	var keyArgs []any
	switch {
	case r.Group == GroupAll:
		groupBy = "b"
	case r.Group == GroupRegion:
		from, to := make([]string, len(g.members)), make([]string, len(g.members))
		for i, m := range g.members {
			from[i], to[i] = m.id, m.key
		}
		keyCol, keyArgs, groupBy = "transform(location, ?, ?, '') AS key, ", []any{from, to}, "key, b"
	case len(g.members) == 1:
		// One location: the rows group on the bucket number alone.
		q.key, groupBy = g.members[0].key, "b"
	default:
		keyCol, groupBy = "toString(location) AS key, ", "key, b"
	}
	q.keyed = keyCol != ""

	sums := make([]string, len(cols))
	for i, c := range cols {
		sums[i] = fmt.Sprintf("sum(%s) AS s%d", clickhouse.Ident(columns[c].Name), i)
	}
	sumList := strings.Join(sums, ", ")
	db := clickhouse.Ident(database)

	var sb strings.Builder
	var args []any
	if len(levels) > 1 {
		outer := make([]string, len(cols))
		for i := range cols {
			outer[i] = fmt.Sprintf("sum(s%d) AS s%d", i, i)
		}
		if q.keyed {
			sb.WriteString("SELECT key, b, ")
		} else {
			sb.WriteString("SELECT b, ")
		}
		sb.WriteString(strings.Join(outer, ", ") + " FROM (\n  ")
	}
	for i, l := range levels {
		name, byLocation := l.name, true
		if l.table == hourTable {
			q.hoursFrom, q.hoursTo = l.from, l.to
			if total {
				name, byLocation = "kpi_hour_total", false
			}
		}
		var prev *level
		if i > 0 {
			sb.WriteString("\n  UNION ALL\n  ")
			prev = &levels[i-1]
		}
		where, whereArgs := levelWhere(l, prev)
		bExpr, bArgs := b.expr(l.col)
		fmt.Fprintf(&sb, "SELECT %s%s AS b, %s FROM %s.%s WHERE ", keyCol, bExpr, sumList, db, name)
		args = append(args, keyArgs...)
		args = append(args, bArgs...)
		if byLocation {
			sb.WriteString("location IN ? AND ")
			args = append(args, inLocations)
		}
		sb.WriteString(where + " GROUP BY " + groupBy)
		args = append(args, whereArgs...)
	}
	if len(levels) > 1 {
		sb.WriteString("\n) GROUP BY " + groupBy)
	}
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
