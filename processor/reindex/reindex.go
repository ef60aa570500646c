// Package reindex recomputes the survey components (survey_minute) of configured questionnaires from the
// raw events, so that a changed definition — a new index, other dimension weights, a question moved to
// another dimension — applies to history. It is explicit (cxm reindex) and idempotent: for each period it
// computes what the components should be from the events table, reads what survey_minute holds, and
// writes only the difference as correction rows (source = 1, no mark). Running it twice writes nothing the
// second time; the sums stay additive, so every reader keeps summing rows.
package reindex

import (
	"context"
	"fmt"
	"slices"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/internal/survey"
	"github.com/cxm-project/cxm/processor/buckets"
)

// Progress is told after each period: done of total periods, events read and rows written so far.
type Progress func(done, total int, events, rows int64)

// Result sums a run.
type Result struct {
	Events, Rows int64
}

// Run recomputes [from, to) (whole minutes) for the surveys (every configured one when empty), period by
// period (a day at most, so one period's components fit in memory).
func Run(ctx context.Context, conn driver.Conn, database string, cat *survey.Catalog, surveys []string, from, to time.Time, period time.Duration, progress Progress) (Result, error) {
	var res Result
	if cat == nil {
		return res, fmt.Errorf("reindex: no questionnaire is configured (surveys:)")
	}
	if len(surveys) == 0 {
		for _, s := range cat.Surveys {
			surveys = append(surveys, s.ID)
		}
	}
	for _, s := range surveys {
		if cat.Survey(s) == nil {
			return res, fmt.Errorf("reindex: survey %q is not configured", s)
		}
	}
	if from.Unix()%60 != 0 || to.Unix()%60 != 0 || !from.Before(to) {
		return res, fmt.Errorf("reindex: from and to must be whole minutes with from before to")
	}
	if period <= 0 {
		period = 24 * time.Hour
	}
	total := int((to.Sub(from) + period - 1) / period)
	done := 0
	for start := from; start.Before(to); start = start.Add(period) {
		end := start.Add(period)
		if end.After(to) {
			end = to
		}
		n, rows, err := one(ctx, conn, database, cat, surveys, start, end)
		if err != nil {
			return res, err
		}
		res.Events += n
		res.Rows += rows
		done++
		if progress != nil {
			progress(done, total, res.Events, res.Rows)
		}
	}
	return res, nil
}

// one recomputes one period.
func one(ctx context.Context, conn driver.Conn, database string, cat *survey.Catalog, surveys []string, from, to time.Time) (events, written int64, err error) {
	set := make([]any, len(surveys))
	for i, s := range surveys {
		set[i] = s
	}
	in := ch.GroupSet{Value: set}
	want := map[buckets.SurveyKey]kpi.Sums{}
	// Counted survey events: not flagged as misuse (the processor counts those in no KPI).
	rows, err := conn.Query(ctx, "SELECT location, time, survey, answers FROM "+clickhouse.Ident(database)+
		".events WHERE type = 'survey' AND survey IN ? AND time >= ? AND time < ? AND misuse = ''", in, from.UTC(), to.UTC())
	if err != nil {
		return 0, 0, fmt.Errorf("reindex: read events: %w", err)
	}
	for rows.Next() {
		var e event.Event
		var answers string
		if err := rows.Scan(&e.Location, &e.Time, &e.Survey, &answers); err != nil {
			rows.Close()
			return 0, 0, fmt.Errorf("reindex: read events: %w", err)
		}
		items, err := event.ParseItems(answers)
		if err != nil {
			rows.Close()
			return 0, 0, fmt.Errorf("reindex: answers of a %s event at %s: %w", e.Survey, e.Time, err)
		}
		e.Type, e.Answers = event.TypeSurvey, &event.Answers{Items: items}
		m := buckets.MinuteOf(e.Time)
		cat.Feed(&e, func(k kpi.SurveyKey, s kpi.Sums) {
			sk := buckets.SurveyKey{Location: e.Location, Minute: m, SurveyKey: k}
			o := want[sk]
			want[sk] = kpi.Sums{N: o.N + s.N, Sum: o.Sum + s.Sum, SumSq: o.SumSq + s.SumSq}
		})
		events++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, fmt.Errorf("reindex: read events: %w", err)
	}
	have := map[buckets.SurveyKey]kpi.Sums{}
	rows, err = conn.Query(ctx, "SELECT location, minute, survey, item, value, sum(n), sum(sum), sum(sumsq) FROM "+clickhouse.Ident(database)+
		".survey_minute WHERE survey IN ? AND minute >= ? AND minute < ? GROUP BY location, minute, survey, item, value", in, from.UTC(), to.UTC())
	if err != nil {
		return 0, 0, fmt.Errorf("reindex: read survey_minute: %w", err)
	}
	for rows.Next() {
		var (
			k  buckets.SurveyKey
			t  time.Time
			sm kpi.Sums
		)
		if err := rows.Scan(&k.Location, &t, &k.Survey, &k.Item, &k.Value, &sm.N, &sm.Sum, &sm.SumSq); err != nil {
			rows.Close()
			return 0, 0, fmt.Errorf("reindex: read survey_minute: %w", err)
		}
		k.Minute = t.Unix()
		have[k] = sm
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, fmt.Errorf("reindex: read survey_minute: %w", err)
	}
	var out []buckets.SurveyRow
	diff := func(k buckets.SurveyKey) {
		w, h := want[k], have[k]
		d := kpi.Sums{N: w.N - h.N, Sum: w.Sum - h.Sum, SumSq: w.SumSq - h.SumSq}
		if d != (kpi.Sums{}) {
			out = append(out, buckets.SurveyRow{Key: k, Sums: d, Source: 1})
		}
	}
	for k := range want {
		diff(k)
	}
	for k := range have {
		if _, ok := want[k]; !ok {
			diff(k)
		}
	}
	slices.SortFunc(out, func(a, b buckets.SurveyRow) int { return int(a.Key.Minute - b.Key.Minute) })
	if err := buckets.InsertSurveyRows(ctx, conn, database, out); err != nil {
		return 0, 0, fmt.Errorf("reindex: write corrections: %w", err)
	}
	return events, int64(len(out)), nil
}
