package plugin

import (
	"fmt"
	"time"
)

// eventsSQL is the events query: the newest raw events of the selected locations in the range, of the
// given types, optionally only those with a survey comment.
type eventsSQL struct {
	Database    string
	From, To    time.Time
	Locations   Selection
	Types       []string
	WithComment bool
	Limit       int
}

// eventColumns are the columns the events frame shows, in order.
const eventColumnsSQL = "time, location, toString(type), device, toString(kind), value, scale, subject, `in`, `out`, " +
	"receipt, amount_cents, items, currency, refund, survey, nps, csat, ces, comment, id"

func (q eventsSQL) Build() (string, []any) {
	var w where
	w.timeRange("time", q.From, q.To)
	w.locations(q.Locations)
	if len(q.Types) > 0 {
		w.add("toString(type) IN ?", inSet(q.Types))
	}
	if q.WithComment {
		w.add("comment != ''")
	}
	// id breaks ties so that equal times come back in a stable order.
	sql := fmt.Sprintf("SELECT %s FROM %s WHERE %s ORDER BY time DESC, location, id LIMIT %d",
		eventColumnsSQL, table(q.Database, "events"), w.String(), q.Limit)
	return sql, w.args
}
