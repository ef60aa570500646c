// Package partition decides, message by message, what one Kafka partition's events do: dropped as a
// duplicate, stored as a repeat, counted into their minute, or dead-lettered as too late. Its state is a
// function of the partition's messages alone (event and Kafka receive times, never the wall clock), so a
// replay after a crash or by another instance makes exactly the same decisions.
package partition

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/processor/buckets"
	"github.com/cxm-project/cxm/processor/dedupe"
)

// Rules are the event-time rules, in seconds (see config.Processor).
type Rules struct {
	DedupeHorizon, RepeatInterval, AllowedLateness, MaxFutureSkew int64
}

// RulesOf converts durations to whole seconds, the resolution of the raw table the state is rebuilt from.
func RulesOf(horizon, repeat, lateness, future time.Duration) Rules {
	return Rules{
		DedupeHorizon:   int64(horizon / time.Second),
		RepeatInterval:  int64(repeat / time.Second),
		AllowedLateness: int64(lateness / time.Second),
		MaxFutureSkew:   int64(future / time.Second),
	}
}

// State is one partition's memory. Times are unix seconds.
type State struct {
	Partition int32
	Rules     Rules
	IDs       *dedupe.IDs
	Presses   *dedupe.Presses
	// Watermark is the largest event time accepted (capped at its receive time).
	Watermark int64
	// Clock is the largest trusted Kafka receive time consumed: the dedupe horizon's clock.
	Clock int64
	// Now is this instance's clock (nil: time.Now), used only to distrust record times from the future.
	Now func() time.Time
	// Lookup reads the raw table's rows of partition p of location with event times in [from, to): the
	// memory of events older than the dedupe horizon (see dedupe.IDs). nil: no lookups, ids are remembered
	// for the horizon only (unit tests of the in-memory rules).
	Lookup func(ctx context.Context, location string, from, to int64) ([]dedupe.Row, error)
	// Facts caches Lookup's answers; set with Lookup.
	Facts *dedupe.Facts

	// durable is the largest offset whose raw row is known to be in ClickHouse (SetDurable).
	durable atomic.Int64
	// prep is the message Prepare decoded, for Apply not to decode it again.
	prep prepared
	// marker is the location minute of the newest counted event, where a batch that counts nothing puts
	// its zero row (see Batch.Marker); hasMarker is false until one was counted since the assignment.
	marker    buckets.MinuteKey
	hasMarker bool
}

// prepared is one message decoded ahead of Apply.
type prepared struct {
	offset int64
	e      event.Event
	err    error
	key    dedupe.Key
	ok     bool
	// verdict is the memory's verdict on key at clock, when Prepare asked for it (see Prepare).
	verdict dedupe.Verdict
	clock   int64
	checked bool
	// recv and trusted are trustedAt's judgement of the message, made once (timed) for Prepare and Apply.
	recv           int64
	trusted, timed bool
}

// NewState is the state of a partition nothing was consumed from.
func NewState(p int32, r Rules) *State {
	s := &State{Partition: p, Rules: r, IDs: dedupe.NewIDs(r.DedupeHorizon), Presses: dedupe.NewPresses()}
	s.durable.Store(-1)
	return s
}

// WithLookup makes the state consult the raw table for events older than the dedupe horizon, caching at
// most maxFacts of its rows.
func (s *State) WithLookup(lookup func(ctx context.Context, location string, from, to int64) ([]dedupe.Row, error), maxFacts int) {
	s.Lookup, s.Facts = lookup, dedupe.NewFacts(maxFacts)
	s.IDs.Facts = s.Facts
}

// SetDurable records that the raw rows of every offset up to off are in ClickHouse (a flush is in): the
// memory may forget them once the horizon allows, since the table answers for them from then on. Safe
// to call from another goroutine than Apply's.
func (s *State) SetDurable(off int64) {
	for {
		d := s.durable.Load()
		if off <= d || s.durable.CompareAndSwap(d, off) {
			return
		}
	}
}

// Prepare decodes m ahead of Apply and, when Apply will need the raw table to judge it (an event time
// older than the dedupe horizon that the memory cannot decide), reads the rows it needs: outside the
// consumer's lock, so that a slow or unavailable ClickHouse holds up only this partition's reading, and
// Apply itself never waits. An error leaves nothing half done: Prepare may be called again.
func (s *State) Prepare(ctx context.Context, m *kafkago.Message) error {
	return s.PrepareAt(ctx, m, s.now())
}

// PrepareAt is Prepare with this instance's clock read by the caller (now): the consumer reads it once per
// message, for its fetch deadline and for this, instead of once for each.
func (s *State) PrepareAt(ctx context.Context, m *kafkago.Message, now time.Time) error {
	p := s.decode(m)
	p.recv, p.trusted = s.trustedAt(m, now)
	p.timed = true
	if p.err != nil || s.Lookup == nil {
		return nil
	}
	e := &p.e
	t := e.Time.Unix()
	if t < s.Watermark-s.Rules.AllowedLateness {
		return nil // late anyway: cannot count twice
	}
	clock := max(s.Clock, p.recv)
	// Apply at the same clock gets the same verdict (nothing changes the memory in between): it is kept
	// for Apply, which then looks the key up only once.
	v := s.IDs.Check(p.key, t, clock)
	p.verdict, p.clock, p.checked = v, clock, true
	if v != dedupe.Ask {
		return nil // decided by the memory
	}
	return s.load(ctx, e.Location, t)
}

// decode decodes m into the state's prepared message, unless it holds m already (Prepare ran for it).
func (s *State) decode(m *kafkago.Message) *prepared {
	p := &s.prep
	if !p.ok || p.offset != m.Offset {
		p.e, p.err = event.Decode(m.Value)
		p.offset, p.key, p.ok, p.checked, p.timed = m.Offset, dedupe.KeyOf(p.e.Location, p.e.ID), true, false, false
	}
	return p
}

// load reads the raw rows of location's span (day) around event time t into Facts, unless Facts has them.
func (s *State) load(ctx context.Context, location string, t int64) error {
	if s.Facts.Has(location, t) {
		return nil
	}
	from, to := dedupe.Span(t)
	rows, err := s.Lookup(ctx, location, from, to)
	if err != nil {
		return fmt.Errorf("partition %d: rows of %s at %s: %w", s.Partition, location, time.Unix(from, 0).UTC().Format(time.RFC3339), err)
	}
	s.Facts.Fill(location, t, rows)
	return nil
}

// Outcome is what happened to one message.
type Outcome int

const (
	Counted Outcome = iota
	Repeat
	Duplicate
	Late
	Misuse
	Undecodable
)

// DeadLetter is a message to send to the dead-letter topic.
type DeadLetter struct {
	Msg    kafkago.Message
	Reason string
	Field  string
	Label  string // metric label: "late" or "undecodable"
}

// Batch is what one partition consumed since its previous batch, ready to be written.
type Batch struct {
	Partition int32
	// From and Last are the first and last offsets the batch covers.
	From, Last int64
	// StartWatermark is the watermark before the batch: every event it stores is at most AllowedLateness
	// older, which bounds the raw-table months a verification has to look at.
	StartWatermark int64
	Mark           buckets.Mark
	// Events are the raw rows, in offset order, in chunks (see addEvent): all chunks together are the rows.
	Events      [][]clickhouse.EventRow
	Deltas      buckets.Deltas
	DeadLetters []DeadLetter
	// Marker is where the zero row goes when the batch counts nothing (see buckets.MinuteDeltas).
	Marker    buckets.MinuteKey
	HasMarker bool
	// Verify makes the writer check what of the batch is already in ClickHouse before writing: set for
	// batches after an assignment (a crashed writer may have written part of them) and after errors.
	Verify bool
	// SkipLikes: like_minute already holds this batch's like deltas (the previous owner crashed between
	// the like and kpi inserts; the batch was cut at exactly that offset).
	SkipLikes bool
	// SkipSurveys: survey_minute already holds this batch's survey deltas (the same crash, after the survey
	// insert; set by the writer's verification).
	SkipSurveys bool
	// SkipAudits: audit_minute already holds this batch's audit deltas (the same crash, see SkipLikes).
	SkipAudits bool
	// Messages counts the consumed messages per outcome, for metrics after the write.
	Messages [Undecodable + 1]int
	// Types counts the decoded messages per event type.
	Types map[event.Type]int
	// RecvNanos are the Kafka record times of Events, for the end-to-end latency.
	RecvNanos []int64
	// Lag is the partition's lag after the last message.
	Lag int64
	// FutureTimes counts messages whose Kafka time was not trusted (see State.trustedAt).
	FutureTimes int
}

// NewBatch starts a batch at offset from.
func (s *State) NewBatch(from int64) *Batch {
	return &Batch{Partition: s.Partition, From: from, Last: from - 1, StartWatermark: s.Watermark,
		Deltas: buckets.NewDeltas(), Types: map[event.Type]int{}}
}

// Chunk sizes of Batch.Events: the first chunk holds firstChunk rows, each next one twice as many, up to
// maxChunk. Rows are never copied to grow (an EventRow is ~350 bytes), and a small batch stays small.
const (
	firstChunk = 64
	maxChunk   = 8192
)

// chunks recycles the largest chunks of Batch.Events (see Release): at full speed a partition fills one
// every few milliseconds, and allocating them was a third of the processor's garbage.
var chunks = sync.Pool{New: func() any { return new([]clickhouse.EventRow) }}

// addEvent appends r to the batch's rows.
func (b *Batch) addEvent(r clickhouse.EventRow) {
	n := len(b.Events)
	if n == 0 || len(b.Events[n-1]) == cap(b.Events[n-1]) {
		c := firstChunk
		if n > 0 {
			c = min(2*cap(b.Events[n-1]), maxChunk)
		}
		b.Events = append(b.Events, newChunk(c))
		n++
	}
	b.Events[n-1] = append(b.Events[n-1], r)
}

func newChunk(size int) []clickhouse.EventRow {
	if size == maxChunk {
		if c := *chunks.Get().(*[]clickhouse.EventRow); cap(c) == maxChunk {
			return c
		}
	}
	return make([]clickhouse.EventRow, 0, size)
}

// Release hands the batch's rows back for later batches to reuse: call it once they are in ClickHouse and
// nothing reads them any more (the flush is in). The batch holds no rows afterwards.
func (b *Batch) Release() {
	for _, c := range b.Events {
		if cap(c) == maxChunk {
			c = c[:0]
			clear(c[:cap(c)]) // the rows' strings are garbage now, not the pool's (FilterEvents may have left some past len)
			chunks.Put(&c)
		}
	}
	b.Events = nil
}

// NumEvents is the number of rows in Events.
func (b *Batch) NumEvents() int {
	n := 0
	for _, c := range b.Events {
		n += len(c)
	}
	return n
}

// FilterEvents keeps, in order, only the rows for which keep is true.
func (b *Batch) FilterEvents(keep func(*clickhouse.EventRow) bool) {
	chunks := b.Events[:0]
	for _, c := range b.Events {
		out := c[:0]
		for i := range c {
			if keep(&c[i]) {
				out = append(out, c[i])
			}
		}
		if len(out) > 0 {
			chunks = append(chunks, out)
		}
	}
	clear(b.Events[len(chunks):])
	b.Events = chunks
}

// Len is the number of messages in the batch.
func (b *Batch) Len() int { return int(b.Last - b.From + 1) }

// Apply decides one message and adds its effect to b. Messages must come in offset order.
func (s *State) Apply(m *kafkago.Message, b *Batch) Outcome {
	b.Last = m.Offset
	b.Lag = max(0, m.HighWaterMark-m.Offset-1)
	p := s.decode(m)
	if !p.timed {
		p.recv, p.trusted = s.trustedAt(m, s.now())
	}
	recv := p.recv
	if !p.trusted {
		b.FutureTimes++
	}
	s.Clock = max(s.Clock, recv)
	defer func() {
		b.Mark = buckets.Mark{Partition: s.Partition, LastOffset: m.Offset, Watermark: s.Watermark, Clock: s.Clock}
		if !b.HasMarker {
			// A batch of nothing but duplicates, late or undecodable messages still writes its mark (a zero
			// row), or the partition's mark would stop short of its end: its lag would never reach zero and
			// every restart would read those messages again.
			b.Marker, b.HasMarker = s.fallbackMarker(), true
		}
	}()
	// e is the state's own event, not a local one: Apply's callees take it by pointer through function
	// values (the KPI feeds), which would move a local event to the heap, an allocation per message.
	e, err, idKey := &p.e, p.err, p.key
	verdict, checked := p.verdict, p.checked && p.clock == s.Clock
	p.ok = false
	if err != nil {
		b.DeadLetters = append(b.DeadLetters, DeadLetter{Msg: *m, Reason: "undecodable: " + err.Error(), Label: "undecodable"})
		b.Messages[Undecodable]++
		return Undecodable
	}
	b.Types[e.Type]++
	// Lateness, then dedupe: a duplicate has no other effect, it does not even move the watermark. The
	// first occurrence by offset counts; the memory decides, or for old event times the raw table.
	t := e.Time.Unix()
	if t < s.Watermark-s.Rules.AllowedLateness {
		// Too late to count, sent before or not: judged before the id, because whether its original is still
		// in memory depends on when flushes land, and the verdict must depend on the offset order alone.
		b.DeadLetters = append(b.DeadLetters, DeadLetter{Msg: *m, Field: "time", Label: "late",
			Reason: fmt.Sprintf("late: event time %s is more than processor.allowed_lateness (%s) before partition %d's watermark %s",
				e.Time.UTC().Format(time.RFC3339), time.Duration(s.Rules.AllowedLateness)*time.Second, s.Partition,
				time.Unix(s.Watermark, 0).UTC().Format(time.RFC3339))})
		b.Messages[Late]++
		return Late
	}
	if !checked {
		verdict = s.IDs.Check(idKey, t, s.Clock)
	}
	if verdict == dedupe.Ask && s.Lookup != nil {
		for !s.Facts.Has(e.Location, t) {
			// Prepare was not called (or judged at another clock): read the table here, until it answers.
			if err := s.load(context.Background(), e.Location, t); err != nil {
				time.Sleep(time.Second)
			}
		}
		if s.Facts.Before(idKey, t, m.Offset) {
			verdict = dedupe.Dup
		}
	}
	if verdict == dedupe.Dup {
		b.Messages[Duplicate]++
		return Duplicate
	}
	if verdict == dedupe.New {
		s.IDs.AddNew(idKey, recv, t, m.Offset, s.Clock, s.durable.Load())
	} else {
		s.IDs.Add(idKey, recv, t, m.Offset, s.Clock, s.durable.Load())
	}
	// Capped at the receive time: the ingest accepted this partition's events against its own clock
	// (ingest.max_past), so a watermark ahead of that clock would make accepted events late; and an event
	// time in the future (a device's clock) must not make everybody else's events late.
	s.Watermark = max(s.Watermark, min(t, recv))
	for _, h := range m.Headers {
		if h.Key == event.MisuseHeader {
			e.Misuse = string(h.Value)
		}
	}
	repeat := false
	if buckets.IsPress(e) {
		var flipped *dedupe.Press
		repeat, flipped = s.Presses.Insert(dedupe.DeviceKey{Location: e.Location, Device: e.Device}, pressOf(e), s.Rules.RepeatInterval)
		if flipped != nil {
			// A press earlier in event time arrived after this device's next press, which was counted:
			// that one is the repeat now, so its minute (and subject) get its contribution taken back.
			prev := eventOf(e, flipped)
			b.Deltas.Sub(&prev)
			b.Messages[Repeat]++
		}
	}
	b.addEvent(clickhouse.EventRow{Event: *e, Repeat: repeat, Received: m.Time.Truncate(time.Second).UTC(),
		KafkaPartition: int32(m.Partition), KafkaOffset: m.Offset})
	b.RecvNanos = append(b.RecvNanos, m.Time.UnixNano())
	b.Marker, b.HasMarker = buckets.MinuteKey{Location: e.Location, Minute: buckets.MinuteOf(e.Time)}, true
	s.marker, s.hasMarker = b.Marker, true
	if repeat {
		b.Messages[Repeat]++
		return Repeat
	}
	if e.Misuse != "" {
		// Kept in the raw table with its reason, counted in no KPI (like a repeat press).
		b.Messages[Misuse]++
		return Misuse
	}
	b.Deltas.Add(e)
	b.Messages[Counted]++
	return Counted
}

// trustedAt is m's Kafka record time in seconds, unless it lies more than MaxFutureSkew ahead of this
// instance's clock (now): a producer with a wrong clock. Such a time would move the partition's clock
// (evicting every remembered id) and the watermark cap (making every later event late), so the record
// counts as received at the partition's clock instead (false). The only decision that reads the wall
// clock, and it can only differ on a replay once the bogus time has come true.
func (s *State) trustedAt(m *kafkago.Message, now time.Time) (int64, bool) {
	recv := m.Time.Unix()
	if recv > now.Unix()+s.Rules.MaxFutureSkew {
		return s.Clock, false
	}
	return recv, true
}

// now is this instance's clock (State.Now, or the wall clock).
func (s *State) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Seal finishes a batch: frees the presses no later press can be judged against any more (ids evict as
// they go). Events older than watermark - allowed_lateness are dead-lettered, so a press that counts is
// never compared with one more than the repeat interval older than that.
func (s *State) Seal(b *Batch) {
	s.Presses.Evict(s.pressWindow())
}

// pressWindow is the oldest event time of a press the repeat judgement may still need.
func (s *State) pressWindow() int64 {
	return s.Watermark - s.Rules.AllowedLateness - s.Rules.RepeatInterval
}

// pressOf is what the press memory keeps of e.
func pressOf(e *event.Event) dedupe.Press {
	return dedupe.Press{Time: e.Time.Unix(), ID: e.ID, Kind: e.Kind, Value: uint8(e.Value), Scale: uint8(e.Scale), Subject: e.Subject}
}

// eventOf rebuilds the figure-relevant part of press p of e's device.
func eventOf(e *event.Event, p *dedupe.Press) event.Event {
	return event.Event{ID: p.ID, Type: event.TypeButton, Location: e.Location, Device: e.Device, Time: time.Unix(p.Time, 0).UTC(),
		Kind: p.Kind, Value: int(p.Value), Scale: int(p.Scale), Subject: p.Subject}
}

// fallbackMarker is where the zero row of a batch that counts nothing goes: the newest counted event's
// location minute, so the row stays with a location of this partition (whose owner alone repairs its
// rollups); before any, location "" at the receive clock's minute. Either adds nothing to any sum.
func (s *State) fallbackMarker() buckets.MinuteKey {
	if s.hasMarker {
		return s.marker
	}
	return buckets.MinuteKey{Minute: buckets.MinuteOf(time.Unix(s.Clock, 0))}
}
