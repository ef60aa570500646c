package dedupe

// Facts caches what the raw events table says about older event times: for each (location, UTC day of
// event time) it has loaded, the smallest Kafka offset of a row of each key and event time. The processor
// asks the table one day of one location at a time (a range of its sort key), so an import of old events
// costs one query per location-day, not one per event, and ordinary (recent) events never ask.
//
// It stays a superset of the table for the days it holds: rows written after a day was loaded belong to
// events that IDs still remembers, and IDs hands every entry it evicts to Facts (note). It holds at most
// max facts: past that it starts over, which only costs queries again.
type Facts struct {
	max   int
	spans map[spanKey]struct{}
	first map[fact]int64
}

type spanKey struct {
	location string
	span     int64
}

type fact struct {
	k    key
	time uint32
}

// SpanSeconds is the span of event time one query covers: a UTC day.
const SpanSeconds = 86400

// NewFacts returns an empty cache of at most max facts (at least one span's rows are always held).
func NewFacts(max int) *Facts {
	return &Facts{max: max, spans: map[spanKey]struct{}{}, first: map[fact]int64{}}
}

// Len is the number of facts held.
func (f *Facts) Len() int { return len(f.first) }

// Has reports whether the span of event time t of location is loaded.
func (f *Facts) Has(location string, t int64) bool {
	_, ok := f.spans[spanKey{location, spanOf(t)}]
	return ok
}

// Row is one row of the raw table as Facts needs it.
type Row struct {
	ID     string
	Time   int64
	Offset int64
}

// Span returns the event-time range [from, to) of the span holding t.
func Span(t int64) (from, to int64) {
	d := spanOf(t)
	return d * SpanSeconds, (d + 1) * SpanSeconds
}

func spanOf(t int64) int64 {
	if t < 0 {
		return (t - SpanSeconds + 1) / SpanSeconds
	}
	return t / SpanSeconds
}

// Fill records the rows of the span of location holding t, as just read from the table.
func (f *Facts) Fill(location string, t int64, rows []Row) {
	if len(f.first)+len(rows) > f.max {
		clear(f.spans)
		clear(f.first)
	}
	f.spans[spanKey{location, spanOf(t)}] = struct{}{}
	for _, r := range rows {
		f.add(KeyOf(location, r.ID), r.Time, r.Offset)
	}
}

// Before reports whether a row with key k and event time t exists at an offset below off: an earlier
// accepted event. A row at off itself is this very event, written by an attempt that crashed before its
// mark; a row beyond it is not an original either.
func (f *Facts) Before(k Key, t, off int64) bool {
	o, ok := f.first[fact{k, uint32(t)}]
	return ok && o < off
}

// note records an entry IDs evicted, unless nothing is loaded (a later load reads it from the table).
func (f *Facts) note(k key, t, off int64) {
	if len(f.spans) == 0 {
		return
	}
	if len(f.first) >= f.max {
		clear(f.spans)
		clear(f.first)
		return
	}
	f.add(k, t, off)
}

func (f *Facts) add(k key, t, off int64) {
	x := fact{k, uint32(t)}
	if o, ok := f.first[x]; !ok || off < o {
		f.first[x] = off
	}
}
