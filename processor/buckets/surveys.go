package buckets

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/internal/survey"
)

// SurveyKey identifies one survey component of a location's minute (survey_minute).
type SurveyKey struct {
	Location string
	Minute   int64
	kpi.SurveyKey
}

// addSurvey counts a survey event's configured components (internal/survey) into its minute. Surveys
// that are not configured add nothing here.
func (d *Deltas) addSurvey(e *event.Event, minute int64) {
	cat := survey.Active()
	if cat == nil || cat.Survey(e.Survey) == nil {
		return
	}
	if d.Surveys == nil {
		d.Surveys = map[SurveyKey]*kpi.Sums{}
	}
	cat.Feed(e, func(k kpi.SurveyKey, s kpi.Sums) {
		sk := SurveyKey{Location: e.Location, Minute: minute, SurveyKey: k}
		x := d.Surveys[sk]
		if x == nil {
			x = &kpi.Sums{}
			d.Surveys[sk] = x
		}
		x.N, x.Sum, x.SumSq = x.N+s.N, x.Sum+s.Sum, x.SumSq+s.SumSq
	})
}

// SurveyDeltas are one Kafka partition's survey_minute rows of a flush.
type SurveyDeltas struct {
	Mark    Mark
	Surveys map[SurveyKey]*kpi.Sums
}

// InsertSurveys writes the survey deltas of every partition to survey_minute in one insert (one part), each
// row carrying its partition's mark (source 0).
func InsertSurveys(ctx context.Context, conn driver.Conn, database string, parts []SurveyDeltas) error {
	n := 0
	for i := range parts {
		n += len(parts[i].Surveys)
	}
	if n == 0 {
		return nil
	}
	rows := make([]SurveyRow, 0, n)
	for _, p := range parts {
		for k, s := range p.Surveys {
			rows = append(rows, SurveyRow{Key: k, Sums: *s, Partition: p.Mark.Partition, LastOffset: p.Mark.LastOffset})
		}
	}
	return InsertSurveyRows(ctx, conn, database, rows)
}

// SurveyRow is one survey_minute row.
type SurveyRow struct {
	Key        SurveyKey
	Sums       kpi.Sums
	Source     uint8 // 0 processor, 1 cxm reindex
	Partition  int32
	LastOffset int64
}

// InsertSurveyRows writes rows to survey_minute in one insert.
func InsertSurveyRows(ctx context.Context, conn driver.Conn, database string, rows []SurveyRow) error {
	if len(rows) == 0 {
		return nil
	}
	n := len(rows)
	loc, sv, item := make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
	minute := make([]time.Time, 0, n)
	value := make([]int32, 0, n)
	cnt, sum, sumsq := make([]int64, 0, n), make([]int64, 0, n), make([]int64, 0, n)
	src, part, last := make([]uint8, 0, n), make([]uint16, 0, n), make([]uint64, 0, n)
	for _, r := range rows {
		loc, minute, sv, item = append(loc, r.Key.Location), append(minute, unix(r.Key.Minute)), append(sv, r.Key.Survey), append(item, r.Key.Item)
		value = append(value, r.Key.Value)
		cnt, sum, sumsq = append(cnt, r.Sums.N), append(sum, r.Sums.Sum), append(sumsq, r.Sums.SumSq)
		src, part, last = append(src, r.Source), append(part, uint16(r.Partition)), append(last, uint64(r.LastOffset))
	}
	return insertColumns(ctx, conn, database, "survey_minute",
		[]string{"location", "minute", "survey", "item", "value", "n", "sum", "sumsq", "source", "kafka_partition", "last_offset"},
		[]any{loc, minute, sv, item, value, cnt, sum, sumsq, src, part, last})
}

// SumSurveys sums survey_minute over [from, to) per location for the given surveys (all when empty).
func SumSurveys(ctx context.Context, conn driver.Conn, database string, surveys []string, from, to time.Time) (map[string]*kpi.SurveySums, error) {
	q := "SELECT location, survey, item, value, sum(n), sum(sum), sum(sumsq) FROM " + clickhouse.Ident(database) +
		".survey_minute WHERE minute >= ? AND minute < ?"
	if len(surveys) > 0 {
		qs := make([]string, len(surveys))
		for i, s := range slices.Sorted(slices.Values(surveys)) {
			qs[i] = clickhouse.Quote(s)
		}
		q += " AND survey IN (" + strings.Join(qs, ",") + ")"
	}
	rows, err := conn.Query(ctx, q+" GROUP BY location, survey, item, value", from.UTC(), to.UTC())
	if err != nil {
		return nil, fmt.Errorf("sum survey_minute: %w", err)
	}
	defer rows.Close()
	out := map[string]*kpi.SurveySums{}
	for rows.Next() {
		var (
			loc string
			k   kpi.SurveyKey
			s   kpi.Sums
		)
		if err := rows.Scan(&loc, &k.Survey, &k.Item, &k.Value, &s.N, &s.Sum, &s.SumSq); err != nil {
			return nil, fmt.Errorf("sum survey_minute: %w", err)
		}
		if out[loc] == nil {
			out[loc] = &kpi.SurveySums{}
		}
		out[loc].Add(k, s)
	}
	return out, rows.Err()
}
