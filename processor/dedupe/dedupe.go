// Package dedupe is one Kafka partition's memory of what it has seen: event ids within the dedupe horizon
// (receive clock, Kafka record time) and each device's presses within the lateness window (event time),
// so that replaying the partition, or rebuilding them from the raw events table, gives the same decisions.
package dedupe

import (
	"slices"
	"sort"

	"github.com/zeebo/xxh3"
)

// key is a 128-bit hash of an id: 16 bytes whatever the id's length, and a collision (a distinct event
// dropped as a duplicate) needs about 2^64 ids in one horizon.
type key [16]byte

func hashID(id string) key {
	h := xxh3.HashString128(id).Bytes()
	return key(h)
}

type entry struct {
	k    key
	recv uint32
}

// IDs remembers event ids for a horizon of receive time. The cost is about 60 bytes per id (map slot and
// queue entry); ids fall out once their receive time is a horizon behind the partition's clock.
type IDs struct {
	horizon int64
	seen    map[key]uint32 // receive time (unix seconds) of the id's first acceptance
	queue   []entry        // in insertion order, for eviction
	head    int
}

// NewIDs returns an empty set with the horizon in seconds.
func NewIDs(horizonSeconds int64) *IDs {
	return &IDs{horizon: horizonSeconds, seen: map[key]uint32{}}
}

// Len is the number of ids held (including ones past the horizon not yet evicted).
func (s *IDs) Len() int { return len(s.seen) }

// Key is an id's hash, to look it up and then add it without hashing twice.
type Key = key

// Seen reports whether id was accepted within the horizon before clock. Expiry is decided here from the
// stored time, not by eviction, so when eviction runs never changes a decision.
func (s *IDs) Seen(id string, clock int64) (Key, bool) {
	k := hashID(id)
	r, ok := s.seen[k]
	return k, ok && int64(r)+s.horizon > clock
}

// Add records an accepted id received at recv. Only accepted events are added (not late ones), because
// the set is rebuilt from the raw table, which holds exactly those.
func (s *IDs) Add(k Key, recv, clock int64) {
	s.seen[k] = uint32(recv)
	s.queue = append(s.queue, entry{k, uint32(recv)})
	s.evict(clock)
}

// Load records an id accepted at recv, for rebuilding the set from the raw table.
func (s *IDs) Load(id string, recv int64) {
	k := hashID(id)
	if r, ok := s.seen[k]; ok && int64(r) >= recv {
		return
	}
	s.seen[k] = uint32(recv)
	s.queue = append(s.queue, entry{k, uint32(recv)})
}

// evict drops ids from the front of the queue while they are past the horizon. Receive times are not
// strictly ordered, so it stops at the first one still inside: memory is bounded by the horizon plus the
// clock skew between producers, not exactly by the horizon.
func (s *IDs) evict(clock int64) {
	for s.head < len(s.queue) {
		e := s.queue[s.head]
		if int64(e.recv)+s.horizon > clock {
			break
		}
		if r, ok := s.seen[e.k]; ok && r == e.recv {
			delete(s.seen, e.k)
		}
		s.queue[s.head] = entry{}
		s.head++
	}
	// Compact once the dead prefix is half the queue, so the slice does not grow forever.
	if s.head > 1024 && s.head*2 >= len(s.queue) {
		n := copy(s.queue, s.queue[s.head:])
		s.queue = s.queue[:n]
		s.head = 0
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
