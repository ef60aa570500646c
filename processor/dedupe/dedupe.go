// Package dedupe is one Kafka partition's memory of what it has seen: event ids within the dedupe horizon
// (receive clock, Kafka record time) and each device's presses within the lateness window (event time),
// so that replaying the partition, or rebuilding them from the raw events table, gives the same decisions.
package dedupe

import (
	"slices"
	"sort"

	"github.com/zeebo/xxh3"
)

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

// DeviceKey identifies a device: device names are unique within a location.
type DeviceKey struct{ Location, Device string }

// Press is one accepted press of a device, with what its figure contribution needs (a press judged a
// repeat later must have its contribution taken back).
type Press struct {
	Time    int64  // event time, unix seconds (the raw table's resolution, so a rebuild decides the same)
	ID      string // orders presses of one second: the smaller id is the earlier press
	Kind    string
	Value   uint8
	Scale   uint8
	Subject string
}

// before orders presses in event time, ties by id: the order repeats are judged in.
func (p *Press) before(q *Press) bool {
	return p.Time < q.Time || p.Time == q.Time && p.ID < q.ID
}

// Presses remembers every accepted press (smiley, like or dislike) of each device within a window of
// event time, sorted by (time, id), and judges repeats in that order whatever order the presses arrive
// in: a press is a repeat when the device's press just before it in event time is less than the repeat
// interval earlier. That depends only on a press's predecessor, so a press arriving late changes at most
// two decisions: its own, and its successor's, which may turn from counted into a repeat (never the other
// way: the new predecessor is nearer than the old one).
type Presses struct {
	devices map[DeviceKey][]Press
	n       int
}

// NewPresses returns an empty memory.
func NewPresses() *Presses {
	return &Presses{devices: map[DeviceKey][]Press{}}
}

// Len is the number of devices held.
func (p *Presses) Len() int { return len(p.devices) }

// Count is the number of presses held.
func (p *Presses) Count() int { return p.n }

// Insert records press x of device k and judges it: repeat reports whether x is a repeat; flipped, when
// not nil, is the press right after x in event time, counted until now, which x turns into a repeat (its
// contribution must be taken back). Presses without a device never repeat: nothing ties them.
func (p *Presses) Insert(k DeviceKey, x Press, interval int64) (repeat bool, flipped *Press) {
	if k.Device == "" || interval <= 0 {
		return false, nil
	}
	s := p.devices[k]
	i := len(s)
	if i > 0 && x.before(&s[i-1]) { // presses mostly arrive in order: only a late one is searched for
		i = sort.Search(len(s), func(j int) bool { return x.before(&s[j]) })
	}
	repeat = i > 0 && x.Time-s[i-1].Time < interval
	if i < len(s) {
		next := s[i]
		was := i > 0 && next.Time-s[i-1].Time < interval
		if !was && next.Time-x.Time < interval {
			flipped = &next
		}
	}
	s = append(s, Press{})
	copy(s[i+1:], s[i:])
	s[i] = x
	p.devices[k] = s
	p.n++
	return repeat, flipped
}

// Load records a press, for rebuilding from the raw table; call Sorted once all are loaded.
func (p *Presses) Load(k DeviceKey, x Press) {
	p.devices[k] = append(p.devices[k], x)
	p.n++
}

// Sorted puts every device's loaded presses in event-time order.
func (p *Presses) Sorted() {
	for _, s := range p.devices {
		slices.SortFunc(s, func(a, b Press) int {
			if a.before(&b) {
				return -1
			}
			if b.before(&a) {
				return 1
			}
			return 0
		})
	}
}

// Evict forgets presses with event time before since. A press older than the window no longer matters:
// presses before watermark - allowed_lateness are dead-lettered, so a press at since or later is only
// ever compared with one that is less than the repeat interval older (see partition.State.Seal).
func (p *Presses) Evict(since int64) {
	for k, s := range p.devices {
		i := 0
		for i < len(s) && s[i].Time < since {
			i++
		}
		if i == 0 {
			continue
		}
		p.n -= i
		if i == len(s) {
			delete(p.devices, k)
			continue
		}
		clear(s[:i])
		p.devices[k] = slices.Clip(s[i:])
	}
}
