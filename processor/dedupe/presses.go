package dedupe

import (
	"slices"
	"sort"
)

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
	devices map[DeviceKey]*pressList
	n       int
}

// NewPresses returns an empty memory.
func NewPresses() *Presses {
	return &Presses{devices: map[DeviceKey]*pressList{}}
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
	l := p.list(k)
	prev, next := l.insert(x)
	p.n++
	repeat = prev != nil && x.Time-prev.Time < interval
	if next != nil {
		was := prev != nil && next.Time-prev.Time < interval
		if !was && next.Time-x.Time < interval {
			n := *next
			flipped = &n
		}
	}
	return repeat, flipped
}

// list is k's presses, created empty when k has none.
func (p *Presses) list(k DeviceKey) *pressList {
	l := p.devices[k]
	if l == nil {
		l = &pressList{}
		p.devices[k] = l
	}
	return l
}

// Load records a press, for rebuilding from the raw table; call Sorted once all are loaded.
func (p *Presses) Load(k DeviceKey, x Press) {
	p.list(k).add(x)
	p.n++
}

// Sorted puts every device's loaded presses in event-time order.
func (p *Presses) Sorted() {
	for _, l := range p.devices {
		l.sort()
	}
}

// Evict forgets presses with event time before since. A press older than the window no longer matters:
// presses before watermark - allowed_lateness are dead-lettered, so a press at since or later is only
// ever compared with one that is less than the repeat interval older (see partition.State.Seal).
func (p *Presses) Evict(since int64) {
	for k, l := range p.devices {
		p.n -= l.evict(since)
		if len(l.chunks) == 0 {
			delete(p.devices, k)
		}
	}
}

// chunkPresses bounds a chunk of a pressList: a press that arrives late is inserted by moving at most
// that many presses, not every later press of the device (which, with the presses' strings, also means
// a write barrier per moved pointer while the collector runs).
const chunkPresses = 256

// pressList is one device's presses in (time, id) order, in chunks of at most chunkPresses, none empty.
type pressList struct {
	chunks [][]Press
}

// insert puts x in order and returns its neighbours after insertion (nil at either end). They point into
// the list: valid until its next change.
func (l *pressList) insert(x Press) (prev, next *Press) {
	if len(l.chunks) == 0 {
		l.chunks = [][]Press{append(make([]Press, 0, 8), x)}
		return nil, nil
	}
	ci := len(l.chunks) - 1
	c := l.chunks[ci]
	i := len(c)
	if x.before(&c[i-1]) { // presses mostly arrive in order: only a late one is searched for
		ci = sort.Search(len(l.chunks), func(j int) bool {
			c := l.chunks[j]
			return x.before(&c[len(c)-1])
		})
		c = l.chunks[ci]
		i = sort.Search(len(c), func(j int) bool { return x.before(&c[j]) })
	}
	c = slices.Insert(c, i, x)
	if len(c) > chunkPresses {
		h := len(c) / 2
		right := slices.Clone(c[h:])
		clear(c[h:])
		l.chunks[ci] = c[:h]
		l.chunks = slices.Insert(l.chunks, ci+1, right)
		if i >= h {
			ci, i = ci+1, i-h
		}
	} else {
		l.chunks[ci] = c
	}
	return l.at(ci, i-1), l.at(ci, i+1)
}

// at is the press at index i of chunk ci, where -1 and the chunk's length reach into the chunks beside
// it; nil past either end of the list.
func (l *pressList) at(ci, i int) *Press {
	switch c := l.chunks[ci]; {
	case i < 0:
		if ci == 0 {
			return nil
		}
		p := l.chunks[ci-1]
		return &p[len(p)-1]
	case i >= len(c):
		if ci+1 == len(l.chunks) {
			return nil
		}
		return &l.chunks[ci+1][0]
	default:
		return &c[i]
	}
}

// add appends x, in no particular order (sort orders the list).
func (l *pressList) add(x Press) {
	if n := len(l.chunks); n > 0 && len(l.chunks[n-1]) < chunkPresses {
		l.chunks[n-1] = append(l.chunks[n-1], x)
		return
	}
	l.chunks = append(l.chunks, append(make([]Press, 0, 8), x))
}

// sort orders the list, leaving its chunks half full so that the next late presses move little.
func (l *pressList) sort() {
	all := slices.Concat(l.chunks...)
	slices.SortFunc(all, func(a, b Press) int {
		if a.before(&b) {
			return -1
		}
		if b.before(&a) {
			return 1
		}
		return 0
	})
	l.chunks = l.chunks[:0]
	for len(all) > 0 {
		n := min(len(all), chunkPresses/2)
		l.chunks = append(l.chunks, all[:n:n])
		all = all[n:]
	}
}

// evict drops the presses before since and returns how many.
func (l *pressList) evict(since int64) int {
	n, drop := 0, 0
	for drop < len(l.chunks) {
		c := l.chunks[drop]
		if c[len(c)-1].Time >= since {
			break
		}
		n += len(c)
		drop++
	}
	l.chunks = slices.Delete(l.chunks, 0, drop)
	if len(l.chunks) > 0 {
		c := l.chunks[0]
		i := 0
		for i < len(c) && c[i].Time < since {
			i++
		}
		if i > 0 {
			n += i
			clear(c[:i])
			l.chunks[0] = slices.Clip(c[i:])
		}
	}
	return n
}
