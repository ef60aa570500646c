package query

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/internal/clickhouse"
)

// EventTypes are the values of events.type.
var EventTypes = []string{"button", "counter", "pos", "survey", "message", "case", "review", "audit"}

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
	Answers     string // answers to a configured questionnaire, a JSON object ("" for others)
}

// EventColumns are the export's column names, in the order of Event's fields (q1..q11 spelled out).
var EventColumns = []string{
	"id", "type", "location", "device", "time", "kind", "value", "scale", "subject", "in", "out",
	"receipt", "amount_cents", "items", "currency", "seller", "refund", "survey", "nps", "csat", "ces",
	"comment", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "q10", "q11", "ext", "repeat", "received",
	"misuse", "answers",
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
	if err := e.checkRange(r.From, r.To); err != nil {
		return nil, err
	}
	if err := checkTypes(r.Types); err != nil {
		return nil, err
	}
	ids, err := e.locationIDs(r.Locations, r.Regions, r.Scope)
	if err != nil {
		return nil, err
	}
	q := &EventsQuery{e: e, r: r, locations: ids}
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

// checkRange checks a raw read's [from, to): both given, in order, within ClickHouse's DateTime and
// api.max_range.
func (e *Engine) checkRange(from, to time.Time) error {
	if from.IsZero() {
		return inputErr("from", "is required")
	}
	if to.IsZero() {
		return inputErr("to", "is required")
	}
	if !from.Before(to) {
		return inputErr("to", "must be after from (%s)", from.UTC().Format(time.RFC3339))
	}
	if from.Unix() < 0 || to.Unix() > 1<<32-1 {
		return inputErr("from", "the range must lie between 1970 and 2106 (ClickHouse DateTime)")
	}
	if e.lim.MaxRange > 0 && to.Sub(from) > e.lim.MaxRange {
		return &LimitError{Param: "to", Limit: "api.max_range", Reason: fmt.Sprintf("the range %s is longer than the maximum %s", to.Sub(from), e.lim.MaxRange)}
	}
	return nil
}

func checkTypes(types []string) error {
	for _, t := range types {
		if !slices.Contains(EventTypes, t) {
			return inputErr("type", "unknown event type %q: must be one of %s", t, strings.Join(EventTypes, ", "))
		}
	}
	return nil
}

// locationIDs resolves a selection to location ids in registry order.
func (e *Engine) locationIDs(locations, regions []string, scope func(string) bool) ([]string, error) {
	ms, err := e.resolve(&Request{Locations: locations, Regions: regions, Scope: scope})
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.id
	}
	return ids, nil
}

// inSet binds a list for IN ?.
func inSet(values []string) ch.GroupSet {
	vs := make([]any, len(values))
	for i, v := range values {
		vs[i] = v
	}
	return ch.GroupSet{Value: vs}
}

// eventSelect is the SELECT list of EventColumns.
func eventSelect() string {
	cols := make([]string, len(EventColumns))
	for i, c := range EventColumns {
		cols[i] = clickhouse.Ident(c)
	}
	return strings.Join(cols, ", ")
}

// eventScanner scans a row of eventSelect into one reused Event.
type eventScanner struct {
	ev             Event
	dest           []any
	refund, repeat uint8
}

func newEventScanner() *eventScanner {
	s := &eventScanner{}
	ev := &s.ev
	s.dest = []any{&ev.ID, &ev.Type, &ev.Location, &ev.Device, &ev.Time, &ev.Kind, &ev.Value, &ev.Scale, &ev.Subject,
		&ev.In, &ev.Out, &ev.Receipt, &ev.AmountCents, &ev.Items, &ev.Currency, &ev.Seller, &s.refund, &ev.Survey,
		&ev.NPS, &ev.CSAT, &ev.CES, &ev.Comment}
	for i := range ev.Q {
		s.dest = append(s.dest, &ev.Q[i])
	}
	s.dest = append(s.dest, &ev.Ext, &s.repeat, &ev.Received, &ev.Misuse, &ev.Answers)
	return s
}

func (s *eventScanner) scan(rows driver.Rows) error {
	// Nullable answers are scanned into fresh pointers so no caller sees the previous row's.
	s.ev.NPS, s.ev.CSAT, s.ev.CES = nil, nil, nil
	if err := rows.Scan(s.dest...); err != nil {
		return fmt.Errorf("events: scan: %w", err)
	}
	s.ev.Refund, s.ev.Repeat = s.refund != 0, s.repeat != 0
	s.ev.Time, s.ev.Received = s.ev.Time.UTC(), s.ev.Received.UTC()
	return nil
}

func (q *EventsQuery) where() (string, []any) {
	sql := "location IN ? AND time >= ? AND time < ?"
	args := []any{inSet(q.locations), q.r.From.UTC().Truncate(time.Second), q.r.To.UTC().Truncate(time.Second)}
	if len(q.r.Types) > 0 {
		sql += " AND type IN ?"
		args = append(args, inSet(q.r.Types))
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
	sc := newEventScanner()
	sel := eventSelect()
	settings := ch.Settings{}
	if timeout > 0 {
		settings["max_execution_time"] = int(max(1, timeout/time.Second))
	}
	ctx = ch.Context(ctx, ch.WithSettings(settings))
	for _, id := range q.locations {
		one := &EventsQuery{e: e, r: q.r, locations: []string{id}}
		where, args := one.where()
		rows, err := e.conn.Query(ctx, "SELECT "+sel+" FROM "+clickhouse.Ident(e.db)+".events WHERE "+where+" ORDER BY time, id", args...)
		if err != nil {
			return e.wrapExport(ctx, err, timeout)
		}
		for rows.Next() {
			if err := sc.scan(rows); err != nil {
				rows.Close()
				return err
			}
			if err := fn(&sc.ev); err != nil {
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
