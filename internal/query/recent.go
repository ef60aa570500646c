package query

import (
	"context"
	"fmt"
	"time"

	"github.com/cxm-project/cxm/internal/clickhouse"
)

// RecentRequest selects the newest raw events of some locations, for a panel's or a page's list.
type RecentRequest struct {
	Locations, Regions []string
	From, To           time.Time // [From, To); any second
	Types              []string  // empty: all
	WithComment        bool      // only events with a survey comment
	Limit              int       // rows, 1..api.max_export_rows
	Scope              func(location string) bool
}

// RecentEvents returns at most r.Limit events of the range, newest first (ties by location and id). It
// runs under the engine's limits like every read: the range (api.max_range), the rows a statement may
// read (api.max_rows) and the timeout; the condition is on the sort key (location, time), so only the
// selected locations' key ranges are read.
func (e *Engine) RecentEvents(ctx context.Context, r RecentRequest) ([]Event, error) {
	if err := e.checkRange(r.From, r.To); err != nil {
		return nil, err
	}
	if err := checkTypes(r.Types); err != nil {
		return nil, err
	}
	if err := e.checkLimit(r.Limit); err != nil {
		return nil, err
	}
	ids, err := e.locationIDs(r.Locations, r.Regions, r.Scope)
	if err != nil {
		return nil, err
	}
	q := &EventsQuery{e: e, r: EventsRequest{From: r.From, To: r.To, Types: r.Types}, locations: ids}
	where, args := q.where()
	if r.WithComment {
		where += " AND comment != ''"
	}
	ctx, cancel := e.withLimits(ctx)
	defer cancel()
	rows, err := e.conn.Query(ctx, fmt.Sprintf("SELECT %s FROM %s.events WHERE %s ORDER BY time DESC, location, id LIMIT %d",
		eventSelect(), clickhouse.Ident(e.db), where, r.Limit), args...)
	if err != nil {
		return nil, e.wrap(ctx, err)
	}
	defer rows.Close()
	out := []Event{}
	sc := newEventScanner()
	for rows.Next() {
		if err := sc.scan(rows); err != nil {
			return nil, err
		}
		out = append(out, sc.ev)
	}
	if err := rows.Err(); err != nil {
		return nil, e.wrap(ctx, err)
	}
	return out, nil
}

// checkLimit checks the row count a list asks for: at least one, at most api.max_export_rows.
func (e *Engine) checkLimit(n int) error {
	if n < 1 {
		return inputErr("limit", "must be at least 1, got %d", n)
	}
	if e.lim.MaxExportRows > 0 && int64(n) > e.lim.MaxExportRows {
		return &LimitError{Param: "limit", Limit: "api.max_export_rows", Reason: fmt.Sprintf("%d rows asked for, more than %d", n, e.lim.MaxExportRows)}
	}
	return nil
}
