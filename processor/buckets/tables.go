package buckets

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/kpi"
)

// Mark is how far one Kafka partition's effects are in ClickHouse: every delta row of a flush carries it.
// Watermark and Clock are the partition's state after LastOffset, so a new owner continues from exactly
// the state the previous one had (unix seconds).
type Mark struct {
	Partition  int32
	LastOffset int64
	Watermark  int64 // largest event time accepted
	Clock      int64 // largest Kafka receive time consumed
}

// MinuteDeltas are one Kafka partition's kpi_minute rows of a flush.
type MinuteDeltas struct {
	Mark    Mark
	Minutes map[MinuteKey]*kpi.Components
	// Marker is the row written with all components zero when Minutes is empty (a batch of duplicates,
	// repeats or late events), so the mark still advances; it adds nothing to any sum.
	Marker MinuteKey
}

// LikeDeltas are one Kafka partition's like_minute rows of a flush.
type LikeDeltas struct {
	Mark  Mark
	Likes map[LikeKey]*LikeCounts
}

func unix(s int64) time.Time { return time.Unix(s, 0).UTC() }

// InsertMinutes writes the deltas of every partition to kpi_minute in ONE insert: one block, and with
// kpi_minute unpartitioned one part, so the rows and their marks land together or not at all.
func InsertMinutes(ctx context.Context, conn driver.Conn, database string, parts []MinuteDeltas) error {
	n := 0
	for i := range parts {
		n += max(1, len(parts[i].Minutes))
	}
	if n == 0 {
		return nil
	}
	var (
		loc     = make([]string, 0, n)
		minute  = make([]time.Time, 0, n)
		vals    = make([][]int64, len(kpi.Columns))
		part    = make([]uint16, 0, n)
		last    = make([]uint64, 0, n)
		wm, clk = make([]time.Time, 0, n), make([]time.Time, 0, n)
	)
	for i := range vals {
		vals[i] = make([]int64, 0, n)
	}
	row := func(m Mark, k MinuteKey, c *kpi.Components) {
		loc = append(loc, k.Location)
		minute = append(minute, unix(k.Minute))
		for i, col := range kpi.Columns {
			vals[i] = append(vals[i], *col.Field(c))
		}
		part = append(part, uint16(m.Partition))
		last = append(last, uint64(m.LastOffset))
		wm = append(wm, unix(m.Watermark))
		clk = append(clk, unix(m.Clock))
	}
	var zero kpi.Components
	for _, p := range parts {
		if len(p.Minutes) == 0 {
			row(p.Mark, p.Marker, &zero)
			continue
		}
		for k, c := range p.Minutes {
			row(p.Mark, k, c)
		}
	}
	names := make([]string, 0, len(kpi.Columns)+6)
	names = append(names, "location", "minute")
	for _, c := range kpi.Columns {
		names = append(names, c.Name)
	}
	names = append(names, "kafka_partition", "last_offset", "watermark", "clock")
	cols := make([]any, 0, len(names))
	cols = append(cols, loc, minute)
	for _, v := range vals {
		cols = append(cols, v)
	}
	cols = append(cols, part, last, wm, clk)
	return insertColumns(ctx, conn, database, "kpi_minute", names, cols)
}

// InsertLikes writes the like deltas of every partition to like_minute in one insert (one part).
func InsertLikes(ctx context.Context, conn driver.Conn, database string, parts []LikeDeltas) error {
	n := 0
	for i := range parts {
		n += len(parts[i].Likes)
	}
	if n == 0 {
		return nil
	}
	loc, subj, facet := make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
	minute := make([]time.Time, 0, n)
	likes, dislikes := make([]int64, 0, n), make([]int64, 0, n)
	fc := newFacetColumns(n)
	part, last := make([]uint16, 0, n), make([]uint64, 0, n)
	for _, p := range parts {
		for k, c := range p.Likes {
			loc, minute, subj, facet = append(loc, k.Location), append(minute, unix(k.Minute)), append(subj, k.Subject), append(facet, k.Facet)
			likes, dislikes = append(likes, c.Likes), append(dislikes, c.Dislikes)
			fc.add(&c.Facets)
			part, last = append(part, uint16(p.Mark.Partition)), append(last, uint64(p.Mark.LastOffset))
		}
	}
	return insertColumns(ctx, conn, database, "like_minute",
		append([]string{"location", "minute", "subject", "facet", "likes", "dislikes"}, append(facetNames, "kafka_partition", "last_offset")...),
		append([]any{loc, minute, subj, facet, likes, dislikes}, append(fc.cols(), part, last)...))
}

func insertColumns(ctx context.Context, conn driver.Conn, database, table string, names []string, cols []any) error {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = clickhouse.Ident(n)
	}
	b, err := conn.PrepareBatch(ctx, "INSERT INTO "+clickhouse.Ident(database)+"."+table+" ("+strings.Join(q, ", ")+")")
	if err != nil {
		return fmt.Errorf("insert into %s.%s: prepare: %w", database, table, err)
	}
	defer b.Close()
	for i, c := range cols {
		if err := b.Column(i).Append(c); err != nil {
			return fmt.Errorf("insert into %s.%s: column %s: %w", database, table, names[i], err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("insert into %s.%s: %w", database, table, err)
	}
	return nil
}

// ReadMarks returns the newest kpi_minute mark of each of partitions that has one.
func ReadMarks(ctx context.Context, conn driver.Conn, database string, partitions []int32) (map[int32]Mark, error) {
	return ReadMarksFrom(ctx, conn, database, partitions, math.MinInt64)
}

// ReadMarksFrom is ReadMarks over the rows of minutes from `from` (Unix seconds) on: the newest mark among
// them. It is the partition's mark whenever a flush with it wrote a row in that range (the writer's
// verification knows from when on a flush beyond its batch's start must have written).
func ReadMarksFrom(ctx context.Context, conn driver.Conn, database string, partitions []int32, from int64) (map[int32]Mark, error) {
	out := map[int32]Mark{}
	if len(partitions) == 0 {
		return out, nil
	}
	rows, err := conn.Query(ctx, "SELECT kafka_partition, max(last_offset), argMax(watermark, last_offset), argMax(clock, last_offset) FROM "+
		clickhouse.Ident(database)+".kpi_minute WHERE "+minuteFrom(from)+"kafka_partition IN ("+partitionList(partitions)+") GROUP BY kafka_partition")
	if err != nil {
		return nil, fmt.Errorf("read kpi_minute marks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			p      uint16
			last   uint64
			wm, ck time.Time
		)
		if err := rows.Scan(&p, &last, &wm, &ck); err != nil {
			return nil, fmt.Errorf("read kpi_minute marks: %w", err)
		}
		out[int32(p)] = Mark{Partition: int32(p), LastOffset: int64(last), Watermark: wm.Unix(), Clock: ck.Unix()}
	}
	return out, rows.Err()
}

// minuteFrom is the condition (with its AND) of rows from minute `from` on; none for math.MinInt64 or a
// time before 1970.
func minuteFrom(from int64) string {
	if from <= 0 {
		return ""
	}
	return fmt.Sprintf("minute >= toDateTime(%d) AND ", from-from%60)
}

// ReadSideMarksFrom returns the like_minute, survey_minute and audit_minute marks among rows of minutes from
// `from` (Unix seconds) on (see ReadMarksFrom).
func ReadSideMarksFrom(ctx context.Context, conn driver.Conn, database string, partitions []int32, from int64) (likes, surveys, audits map[int32]int64, err error) {
	if len(partitions) == 0 {
		return map[int32]int64{}, map[int32]int64{}, map[int32]int64{}, nil
	}
	out, err := readSideMarks(ctx, conn, database, minuteFrom(from)+"kafka_partition IN ("+partitionList(partitions)+")")
	if err != nil {
		return nil, nil, nil, err
	}
	return out[0], out[1], out[2], nil
}

// sideTables are the tables a flush writes before kpi_minute, each with its own marks (like_minute,
// survey_minute, audit_minute, in that order), with what restricts them to the processor's rows (a
// reindex's survey corrections carry no mark).
var sideTables = [3]struct{ name, rows string }{{"like_minute", ""}, {"survey_minute", "source = 0 AND "}, {"audit_minute", ""}}

// readSideMarks returns, per side table (in sideTables' order) and per partition that has one, the newest
// last_offset among the rows where selects.
func readSideMarks(ctx context.Context, conn driver.Conn, database, where string) ([3]map[int32]int64, error) {
	var out [3]map[int32]int64
	for i, t := range sideTables {
		m, err := readOffsetMarks(ctx, conn, database, t.name, t.rows+where)
		if err != nil {
			return out, err
		}
		out[i] = m
	}
	return out, nil
}

// readOffsetMarks returns, per partition that has one, the newest last_offset of table among the rows
// where selects.
func readOffsetMarks(ctx context.Context, conn driver.Conn, database, table, where string) (map[int32]int64, error) {
	out := map[int32]int64{}
	rows, err := conn.Query(ctx, "SELECT kafka_partition, max(last_offset) FROM "+clickhouse.Ident(database)+"."+table+
		" WHERE "+where+" GROUP BY kafka_partition")
	if err != nil {
		return nil, fmt.Errorf("read %s marks: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			p    uint16
			last uint64
		)
		if err := rows.Scan(&p, &last); err != nil {
			return nil, fmt.Errorf("read %s marks: %w", table, err)
		}
		out[int32(p)] = int64(last)
	}
	return out, rows.Err()
}

func partitionList(ps []int32) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = fmt.Sprint(p)
	}
	return strings.Join(s, ",")
}

// SumComponents sums kpi_minute over [from, to) per location. An empty locations list means every location.
// Delta rows are plain sums, so no FINAL and no dedupe is needed.
func SumComponents(ctx context.Context, conn driver.Conn, database string, locations []string, from, to time.Time) (map[string]kpi.Components, error) {
	var b strings.Builder
	b.WriteString("SELECT location")
	for _, c := range kpi.Columns {
		b.WriteString(", sum(" + c.Name + ")")
	}
	b.WriteString(" FROM " + clickhouse.Ident(database) + ".kpi_minute WHERE minute >= ? AND minute < ?")
	if len(locations) > 0 {
		q := make([]string, len(locations))
		for i, l := range slices.Sorted(slices.Values(locations)) {
			q[i] = clickhouse.Quote(l)
		}
		b.WriteString(" AND location IN (" + strings.Join(q, ",") + ")")
	}
	b.WriteString(" GROUP BY location")
	rows, err := conn.Query(ctx, b.String(), from.UTC(), to.UTC())
	if err != nil {
		return nil, fmt.Errorf("sum kpi_minute: %w", err)
	}
	defer rows.Close()
	out := map[string]kpi.Components{}
	for rows.Next() {
		var (
			loc string
			c   kpi.Components
		)
		dst := []any{&loc}
		for _, col := range kpi.Columns {
			dst = append(dst, col.Field(&c))
		}
		if err := rows.Scan(dst...); err != nil {
			return nil, fmt.Errorf("sum kpi_minute: %w", err)
		}
		out[loc] = c
	}
	return out, rows.Err()
}
