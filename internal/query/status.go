package query

import (
	"context"
	"fmt"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/kpi"
)

// Status is the current traffic light of one location, KPI and window (a row of kpi_status).
type Status struct {
	Location, KPI, Window string
	EvaluatedAt           time.Time
	Value                 *float64
	N                     int64
	Low, High             *float64
	Status                kpi.Status
	Since                 time.Time
	Yellow, Red           *float64      // the thresholds the value was compared with
	Direction             kpi.Direction // which way is better, as the status evaluator judged it
}

// Statuses returns the latest status of every KPI and window of the selected locations. kpi_status is a
// ReplacingMergeTree(evaluated_at) whose merges are not guaranteed, so the latest row is picked with
// argMax(…, evaluated_at) per key; the location condition reads only those locations' primary key range.
func (e *Engine) Statuses(ctx context.Context, locations []string, scope func(string) bool) ([]Status, error) {
	r := Request{Locations: locations, Scope: scope}
	ms, err := e.resolve(&r)
	if err != nil {
		return nil, err
	}
	ids := make([]any, len(ms))
	for i, m := range ms {
		ids[i] = m.id
	}
	ctx, cancel := e.withLimits(ctx)
	defer cancel()
	// Casts keep the reader independent of the exact storage types (Enum or String, Float32 or 64).
	sql := `SELECT toString(location) AS l, toString(kpi) AS k, toString(window) AS w,
	max(evaluated_at) AS at,
	argMax(toFloat64(value), evaluated_at),
	argMax(toInt64(n), evaluated_at),
	argMax(toFloat64(low), evaluated_at),
	argMax(toFloat64(high), evaluated_at),
	argMax(toString(status), evaluated_at),
	argMax(since, evaluated_at),
	argMax(toFloat64(yellow), evaluated_at),
	argMax(toFloat64(red), evaluated_at),
	argMax(toString(direction), evaluated_at)
FROM ` + clickhouse.Ident(e.db) + `.kpi_status
WHERE location IN ?
GROUP BY l, k, w
ORDER BY l, k, w`
	rows, err := e.conn.Query(ctx, sql, ch.GroupSet{Value: ids})
	if err != nil {
		return nil, e.wrap(ctx, err)
	}
	defer rows.Close()
	var out []Status
	var status, direction string
	for rows.Next() {
		var s Status
		if err := rows.Scan(&s.Location, &s.KPI, &s.Window, &s.EvaluatedAt, &s.Value, &s.N, &s.Low, &s.High,
			&status, &s.Since, &s.Yellow, &s.Red, &direction); err != nil {
			return nil, fmt.Errorf("kpi_status: scan: %w", err)
		}
		if s.Status, err = kpi.ParseStatus(status); err != nil {
			return nil, fmt.Errorf("kpi_status of %s %s: %w", s.Location, s.KPI, err)
		}
		if s.Direction, err = kpi.ParseDirection(direction); err != nil {
			s.Direction = kpi.DefaultDirection(s.KPI)
		}
		s.EvaluatedAt, s.Since = s.EvaluatedAt.UTC(), s.Since.UTC()
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, e.wrap(ctx, err)
	}
	return out, nil
}
