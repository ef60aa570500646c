// Package dedupe is one Kafka partition's memory of what it has seen: event ids within the dedupe horizon
// (receive clock, Kafka record time) and each device's presses within the lateness window (event time),
// so that replaying the partition, or rebuilding them from the raw events table, gives the same decisions.
package dedupe

import "github.com/zeebo/xxh3"

// key is a 128-bit hash of a location and an id: 16 bytes whatever the id's length, and a collision (a
// distinct event dropped as a duplicate) needs about 2^64 ids in one horizon. Ids are scoped to their
// location (the location's own hash seeds the id's), so one location's id never matches another's.
type key [16]byte

// Key is an id's key, to look it up and then add it without hashing twice.
type Key = key

// KeyOf is the key of id within location.
func KeyOf(location, id string) Key {
	return key(xxh3.HashString128Seed(id, xxh3.HashString(location)).Bytes())
}

// seen is what the set keeps of the newest accepted event with a key.
type seen struct {
	recv, time uint32 // receive time and event time, unix seconds
	off        int64  // Kafka offset
}

type entry struct {
	k key
	seen
}

// IDs remembers accepted events by location and id, so that an event sent again is dropped. An event is a
// duplicate when an earlier event of the partition (smaller offset) was accepted with the same location
// and id and either (a) was received less than the horizon before, or (b) has the same event time (to the
// second). IDs answers (a) alone, and (b) for event times within the horizon of the clock; older event
// times may need the raw table (Ask), whose answers Facts caches.
//
// An entry is kept while its receive time or its event time is within the horizon of the partition's
// clock, and in any case until its row is in ClickHouse (Durable): so what is not in memory any more is
// in the raw table. The cost is about 80 bytes per id (map slot and queue entry).
type IDs struct {
	horizon int64
	seen    map[key]seen
	queue   fifo[entry] // in insertion order, for eviction
	// displaced are older entries of a key replaced by a newer event (the same id at another event time)
	// before their rows were durable: the raw table cannot answer for them yet. Rare: ids are unique.
	displaced []entry
	// Facts, when set, receives the entries evicted, so that it stays a superset of what it loaded.
	Facts *Facts
}

// NewIDs returns an empty set with the horizon in seconds.
func NewIDs(horizonSeconds int64) *IDs {
	return &IDs{horizon: horizonSeconds, seen: map[key]seen{}}
}

// Len is the number of ids held (including ones past the horizon not yet evicted).
func (s *IDs) Len() int { return len(s.seen) }

// Verdict is what the memory can tell about an event.
type Verdict int

const (
	// New: no earlier event with its key counts against it.
	New Verdict = iota
	// Dup: an earlier accepted event makes it a duplicate.
	Dup
	// Ask: only the raw table can tell (an earlier event of the same location, id and event time may have
	// been evicted, or displaced by another event time).
	Ask
)

// Check judges an event with key k and event time t at clock. Expiry is decided here from the stored
// times, not by eviction, so when eviction runs never changes a decision.
func (s *IDs) Check(k Key, t, clock int64) Verdict {
	v, ok := s.seen[k]
	if ok && (int64(v.recv)+s.horizon > clock || int64(v.time) == t) {
		return Dup
	}
	for i := range s.displaced {
		if s.displaced[i].k == k && int64(s.displaced[i].time) == t {
			return Dup
		}
	}
	if ok || t+s.horizon <= clock {
		return Ask
	}
	return New
}

// Add records an accepted event with key k, receive time recv and event time t at offset off. Only
// accepted events are added (not late ones), because the set is rebuilt from the raw table, which holds
// exactly those. durable is the largest offset whose row is known to be in ClickHouse.
func (s *IDs) Add(k Key, recv, t, off, clock, durable int64) {
	v := seen{recv: uint32(recv), time: uint32(t), off: off}
	if old, ok := s.seen[k]; ok && old.time != v.time && old.off > durable {
		s.displaced = append(s.displaced, entry{k, old})
	}
	s.add(k, v, clock, durable)
}

// AddNew is Add for a key the set does not hold: Check judged it New, and nothing was added since. It
// saves Add's look-up of an older entry, one of the memory's map operations per event.
func (s *IDs) AddNew(k Key, recv, t, off, clock, durable int64) {
	s.add(k, seen{recv: uint32(recv), time: uint32(t), off: off}, clock, durable)
}

func (s *IDs) add(k Key, v seen, clock, durable int64) {
	s.seen[k] = v
	s.queue.push(entry{k, v})
	s.evict(clock, durable)
}

// Load records an accepted event, for rebuilding the set from the raw table (every row is durable).
func (s *IDs) Load(location, id string, recv, t, off int64) {
	k := KeyOf(location, id)
	if old, ok := s.seen[k]; ok && old.off >= off {
		return
	}
	v := seen{recv: uint32(recv), time: uint32(t), off: off}
	s.seen[k] = v
	s.queue.push(entry{k, v})
}

// expired reports whether e is needed neither for rule (a) nor for (b) within the horizon, and its row is
// in ClickHouse.
func (s *IDs) expired(e *entry, clock, durable int64) bool {
	return int64(e.recv)+s.horizon <= clock && int64(e.time)+s.horizon <= clock && e.off <= durable
}

// evict drops entries from the front of the queue while they are expired. Receive times are not strictly
// ordered, so it stops at the first one still needed: memory is bounded by the horizon plus the clock skew
// between producers (and event times ahead of receive times), not exactly by the horizon.
func (s *IDs) evict(clock, durable int64) {
	for e := s.queue.front(); e != nil; e = s.queue.front() {
		if !s.expired(e, clock, durable) {
			break
		}
		if r, ok := s.seen[e.k]; ok && r == e.seen {
			delete(s.seen, e.k)
		}
		if s.Facts != nil {
			s.Facts.note(e.k, int64(e.time), e.off)
		}
		s.queue.pop()
	}
	if len(s.displaced) > 0 {
		kept := s.displaced[:0]
		for _, d := range s.displaced {
			if d.off > durable {
				kept = append(kept, d)
			} else if s.Facts != nil {
				s.Facts.note(d.k, int64(d.time), d.off)
			}
		}
		clear(s.displaced[len(kept):])
		s.displaced = kept
	}
}
