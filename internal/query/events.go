package query

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/cxm-project/cxm/internal/clickhouse"
)

// EventTypes are the values of events.type.
var EventTypes = []string{"button", "counter", "pos", "survey"}

// EventsRequest selects raw accepted events for export.
type EventsRequest struct {
	Locations, Regions []string
	From, To           time.Time // [From, To); any second
	Types              []string  // empty: all
	Scope              func(location string) bool
}

// Event is one row of the events table as exported: typed values, never re-parsed strings. Amounts stay
// integer hundredths (AmountCents); survey answers not given are nil.
type Event struct {
	ID          string
	Type        string
	Location    string
	Device      string
	Time        time.Time
	Kind        string
	Value       uint8
	Scale       uint8
	Subject     string
	In, Out     uint32
	Receipt     string
	AmountCents int64
	Items       int32
	Currency    string
	Seller      string
	Refund      bool
	Survey      string
	NPS         *uint8
	CSAT        *uint8
	CES         *uint8
	Comment     string
	Q           [11]uint8 // 0 = not answered
	Ext         string    // the event's free JSON object, as received ("" when none)
	Repeat      bool      // a repeat press: stored, not counted
	Received    time.Time
	Misuse      string // why a survey answer over an abuse limit was kept but not counted ("" for others)
}

// EventColumns are the export's column names, in the order of Event's fields (q1..q11 spelled out).
var EventColumns = []string{
	"id", "type", "location", "device", "time", "kind", "value", "scale", "subject", "in", "out",
	"receipt", "amount_cents", "items", "currency", "seller", "refund", "survey", "nps", "csat", "ces",
	"comment", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "q10", "q11", "ext", "repeat", "received",
	"misuse",
}

// EventsQuery is a validated export: Count events will stream.
type EventsQuery struct {
	e         *Engine
	locations []string
	r         EventsRequest
	Count     uint64
}

// PrepareEvents validates the request, resolves its locations and counts the events, so that a bad or
// too large export is refused before the first byte of a streamed answer is written. The count reads
// only the (location, time) primary key range.
func (e *Engine) PrepareEvents(ctx context.Context, r EventsRequest) (*EventsQuery, error) {
	if r.From.IsZero() {
		return nil, inputErr("from", "is required")
	}
	if r.To.IsZero() {
		return nil, inputErr("to", "is required")
	}
	if !r.From.Before(r.To) {
		return nil, inputErr("to", "must be after from (%s)", r.From.UTC().Format(time.RFC3339))
	}
	if r.From.Unix() < 0 || r.To.Unix() > 1<<32-1 {
		return nil, inputErr("from", "the range must lie between 1970 and 2106 (ClickHouse DateTime)")
	}
	if e.lim.MaxRange > 0 && r.To.Sub(r.From) > e.lim.MaxRange {
		return nil, &LimitError{Param: "to", Limit: "api.max_range", Reason: fmt.Sprintf("the range %s is longer than the maximum %s", r.To.Sub(r.From), e.lim.MaxRange)}
	}
	for _, t := range r.Types {
		if !slices.Contains(EventTypes, t) {
			return nil, inputErr("type", "unknown event type %q: must be one of %s", t, strings.Join(EventTypes, ", "))
		}
	}
	kr := Request{Locations: r.Locations, Regions: r.Regions, Scope: r.Scope}
	ms, err := e.resolve(&kr)
	if err != nil {
		return nil, err
	}
	q := &EventsQuery{e: e, r: r}
	for _, m := range ms {
		q.locations = append(q.locations, m.id)
	}
	ctx, cancel := e.limited(ctx, false)
	defer cancel()
	sql, args := q.where()
	if err := e.conn.QueryRow(ctx, "SELECT count() FROM "+clickhouse.Ident(e.db)+".events WHERE "+sql, args...).Scan(&q.Count); err != nil {
		return nil, e.wrap(ctx, err)
	}
	if e.lim.MaxExportRows > 0 && q.Count > uint64(e.lim.MaxExportRows) {
		return nil, &LimitError{Param: "to", Limit: "api.max_export_rows", Reason: fmt.Sprintf(
			"the range holds %d events, more than %d; export a shorter range or fewer locations", q.Count, e.lim.MaxExportRows)}
	}
	return q, nil
}

func (q *EventsQuery) where() (string, []any) {
	ids := make([]any, len(q.locations))
	for i, id := range q.locations {
		ids[i] = id
	}
	sql := "location IN ? AND time >= ? AND time < ?"
	args := []any{ch.GroupSet{Value: ids}, q.r.From.UTC().Truncate(time.Second), q.r.To.UTC().Truncate(time.Second)}
	if len(q.r.Types) > 0 {
		ts := make([]any, len(q.r.Types))
		for i, t := range q.r.Types {
			ts[i] = t
		}
		sql += " AND type IN ?"
		args = append(args, ch.GroupSet{Value: ts})
	}
	return sql, args
}

// Stream calls fn for each event, ordered by location (registry order), time and id, holding one row at a
// time: memory does not grow with the range. The Event passed to fn is reused; fn must not keep it.
//
// It reads one location per statement so that the server sorts one location's rows at a time (18.16 cannot
// read in primary-key order without sorting). timeout bounds the whole export (api.export_timeout).
func (q *EventsQuery) Stream(ctx context.Context, timeout time.Duration, fn func(*Event) error) error {
	e := q.e
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	cols := make([]string, len(EventColumns))
	for i, c := range EventColumns {
		cols[i] = clickhouse.Ident(c)
	}
	var ev Event
	dest := []any{&ev.ID, &ev.Type, &ev.Location, &ev.Device, &ev.Time, &ev.Kind, &ev.Value, &ev.Scale, &ev.Subject,
		&ev.In, &ev.Out, &ev.Receipt, &ev.AmountCents, &ev.Items, &ev.Currency, &ev.Seller, new(uint8), &ev.Survey,
		&ev.NPS, &ev.CSAT, &ev.CES, &ev.Comment}
	refund := dest[16].(*uint8)
	for i := range ev.Q {
		dest = append(dest, &ev.Q[i])
	}
	repeat := new(uint8)
	dest = append(dest, &ev.Ext, repeat, &ev.Received, &ev.Misuse)
	settings := ch.Settings{}
	if timeout > 0 {
		settings["max_execution_time"] = int(max(1, timeout/time.Second))
	}
	ctx = ch.Context(ctx, ch.WithSettings(settings))
	for _, id := range q.locations {
		one := &EventsQuery{e: e, r: q.r, locations: []string{id}}
		where, args := one.where()
		rows, err := e.conn.Query(ctx, "SELECT "+strings.Join(cols, ", ")+" FROM "+clickhouse.Ident(e.db)+".events WHERE "+where+" ORDER BY time, id", args...)
		if err != nil {
			return e.wrapExport(ctx, err, timeout)
		}
		for rows.Next() {
			// Nullable answers are scanned into fresh pointers so fn never sees the previous row's.
			ev.NPS, ev.CSAT, ev.CES = nil, nil, nil
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return fmt.Errorf("events: scan: %w", err)
			}
			ev.Refund, ev.Repeat = *refund != 0, *repeat != 0
			ev.Time, ev.Received = ev.Time.UTC(), ev.Received.UTC()
			if err := fn(&ev); err != nil {
				rows.Close()
				return err
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return e.wrapExport(ctx, err, timeout)
		}
	}
	return nil
}

func (e *Engine) wrapExport(ctx context.Context, err error, timeout time.Duration) error {
	w := e.wrap(ctx, err)
	if t, ok := w.(*TimeoutError); ok {
		t.Timeout = timeout
		t.Limit = "api.export_timeout"
	}
	return w
}
