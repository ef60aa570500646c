package dedupe

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/cxm-project/cxm/internal/kafka"
)

// ownWrites tracks what this instance's producer wrote to the events topic, so the tailer reads only the
// rest. The producer reports every Produce call as it starts and, when it ends, the offsets its messages
// got, but only of the messages it reports written: their ids are added to the set by the caller. Messages
// of a call reported failed that reached Kafka all the same never show up here; the tailer reads them like
// any other instance's and learns those whose ids were noted as possibly written (Set.MaybeWritten).
//
// Which offsets are whose is settled once every call that could have written them has ended: a message
// below an end offset read from the broker was appended before that read, so it belongs to a call started
// before it (mark, settled).
type ownWrites struct {
	mu sync.Mutex
	// Calls are numbered in the order they start; next is the number the next call gets. inflight says,
	// for calls base, base+1, ..., next-1, which have ended; the ended prefix is dropped at once.
	next, base uint64
	inflight   []bool
	parts      map[int][]offRange // per partition, ascending, disjoint and not adjacent
	ended      chan struct{}      // closed when calls end, for wait; nil while no one waits
}

// offRange is the offsets [from, to).
type offRange struct{ from, to int64 }

// maxOwnRanges bounds the ranges kept per partition while the tailer lags (say, it cannot reach the
// partition's leader). Past it the lowest are forgotten: the tailer then reads those messages, which costs
// time but is never wrong.
const maxOwnRanges = 1 << 14

// ProduceStarted implements kafka.Observer.
func (w *ownWrites) ProduceStarted() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	id := w.next
	w.next++
	w.inflight = append(w.inflight, false)
	return id
}

// ProduceDone implements kafka.Observer.
func (w *ownWrites) ProduceDone(id uint64, written []kafka.Written) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, r := range written {
		if r.To > r.From {
			w.add(r.Partition, offRange{r.From, r.To})
		}
	}
	if id >= w.base && id < w.next {
		w.inflight[id-w.base] = true
	}
	for len(w.inflight) > 0 && w.inflight[0] {
		w.inflight = w.inflight[1:]
		w.base++
		if w.ended != nil {
			close(w.ended)
			w.ended = nil
		}
	}
}

// add files r, merging it with the ranges it touches. Calls end in about the order they wrote, so r almost
// always goes at or near the end.
func (w *ownWrites) add(partition int, r offRange) {
	if w.parts == nil {
		w.parts = map[int][]offRange{}
	}
	rs := w.parts[partition]
	// i is the first range that ends at or after r.from: the first that r may touch.
	i := len(rs)
	for i > 0 && rs[i-1].to >= r.from {
		i--
	}
	j := i // ranges i..j-1 overlap or touch r
	for j < len(rs) && rs[j].from <= r.to {
		r.from, r.to = min(r.from, rs[j].from), max(r.to, rs[j].to)
		j++
	}
	switch {
	case j == i+1:
		rs[i] = r
	case j == i:
		rs = append(rs, offRange{})
		copy(rs[i+1:], rs[i:])
		rs[i] = r
	default:
		rs[i] = r
		rs = append(rs[:i+1], rs[j:]...)
	}
	if len(rs) > maxOwnRanges {
		rs = append(rs[:0], rs[len(rs)-maxOwnRanges:]...)
	}
	w.parts[partition] = rs
}

// mark numbers the moment: calls started before it have numbers below the mark.
func (w *ownWrites) mark() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.next
}

// settled reports whether every call started before the mark has ended (and reported its offsets).
func (w *ownWrites) settled(mark uint64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.settledLocked(mark)
}

func (w *ownWrites) settledLocked(mark uint64) bool { return len(w.inflight) == 0 || w.base >= mark }

// wait waits until settled(mark), for at most timeout; false if it was not (ctx ended or the time passed).
func (w *ownWrites) wait(ctx context.Context, mark uint64, timeout time.Duration) bool {
	var timer <-chan time.Time
	for {
		w.mu.Lock()
		if w.settledLocked(mark) {
			w.mu.Unlock()
			return true
		}
		if w.ended == nil {
			w.ended = make(chan struct{})
		}
		ended := w.ended
		w.mu.Unlock()
		if timer == nil {
			t := time.NewTimer(timeout)
			defer t.Stop()
			timer = t.C
		}
		select {
		case <-ended:
		case <-ctx.Done():
			return false
		case <-timer:
			return false
		}
	}
}

// gaps appends to dst the parts of [from, to) of the partition that are not this instance's own writes, and
// forgets the own ranges below from, which the tailer has passed.
func (w *ownWrites) gaps(dst []offRange, partition int, from, to int64) []offRange {
	w.mu.Lock()
	defer w.mu.Unlock()
	rs := w.parts[partition]
	k := sort.Search(len(rs), func(i int) bool { return rs[i].to > from })
	if k > 0 {
		rs = append(rs[:0], rs[k:]...)
		w.parts[partition] = rs
	}
	at := from
	for _, r := range rs {
		if r.from >= to {
			break
		}
		if r.from > at {
			dst = append(dst, offRange{at, r.from})
		}
		at = max(at, r.to)
	}
	if at < to {
		dst = append(dst, offRange{at, to})
	}
	return dst
}
