// Package dedupe is one Kafka partition's memory of what it has seen: event ids within the dedupe horizon
// and each device's last press, both on the partition's receive clock (Kafka record time, seconds) so that
// replaying the partition, or rebuilding them from the raw events table, gives the same decisions.
package dedupe

import (
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

type press struct {
	time int64 // event time, unix seconds
	recv int64 // receive time of that press, for expiry
}

// Presses remembers each device's last press (smiley, like or dislike) for repeat detection.
type Presses struct {
	horizon int64
	last    map[DeviceKey]press
}

// NewPresses returns an empty memory whose entries expire a horizon (seconds of receive time) after the
// press, like ids: a device silent that long starts afresh.
func NewPresses(horizonSeconds int64) *Presses {
	return &Presses{horizon: horizonSeconds, last: map[DeviceKey]press{}}
}

// Len is the number of devices held.
func (p *Presses) Len() int { return len(p.last) }

// Repeat reports whether a press at event time t (seconds) comes less than interval seconds from the
// device's previous press, in either direction (a press delivered out of order is compared too), and
// records it as the device's last press. Presses without a device are never repeats: nothing ties them.
func (p *Presses) Repeat(k DeviceKey, t, recv, clock, interval int64) bool {
	if k.Device == "" || interval <= 0 {
		return false
	}
	prev, ok := p.last[k]
	p.last[k] = press{time: t, recv: recv}
	if !ok || prev.recv+p.horizon <= clock {
		return false
	}
	d := t - prev.time
	if d < 0 {
		d = -d
	}
	return d < interval
}

// Load records a device's last press, for rebuilding from the raw table.
func (p *Presses) Load(k DeviceKey, t, recv int64) { p.last[k] = press{time: t, recv: recv} }

// Evict forgets devices whose last press is past the horizon. Decisions never depend on it (Repeat checks
// expiry itself); it only frees memory.
func (p *Presses) Evict(clock int64) {
	for k, v := range p.last {
		if v.recv+p.horizon <= clock {
			delete(p.last, k)
		}
	}
}
