package dedupe

import (
	"context"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/kafka"
)

// TestOwnGaps: what the producer reports written is left out of what the tailer reads, whatever the order
// the calls end in; the rest of the partition is read.
func TestOwnGaps(t *testing.T) {
	var w ownWrites
	done := func(ranges ...kafka.Written) { w.ProduceDone(w.ProduceStarted(), ranges) }
	done(kafka.Written{Partition: 0, From: 10, To: 20})
	done(kafka.Written{Partition: 0, From: 30, To: 40}, kafka.Written{Partition: 1, From: 0, To: 5})
	done(kafka.Written{Partition: 0, From: 20, To: 25}) // touches [10, 20): merged
	done()                                              // a call that wrote nothing (or failed)
	got := w.gaps(nil, 0, 0, 50)
	want := []offRange{{0, 10}, {25, 30}, {40, 50}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("gaps %v, want %v", got, want)
	}
	if got := w.gaps(nil, 1, 0, 5); len(got) != 0 {
		t.Errorf("partition 1 is all own, gaps %v", got)
	}
	if got := w.gaps(nil, 2, 3, 7); !reflect.DeepEqual(got, []offRange{{3, 7}}) {
		t.Errorf("partition 2 has no own writes, gaps %v", got)
	}
	// Past the first ranges: those are forgotten, the rest still count.
	if got := w.gaps(nil, 0, 35, 45); !reflect.DeepEqual(got, []offRange{{40, 45}}) {
		t.Errorf("from 35: gaps %v", got)
	}
	if n := len(w.parts[0]); n != 1 {
		t.Errorf("%d ranges kept after passing them, want 1", n)
	}
}

// TestOwnRangesRandom files random disjoint runs in random order and checks the gaps against a bitmap.
func TestOwnRangesRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		var w ownWrites
		const n = 300
		own := make([]bool, n)
		// Cut [0, n) into runs and keep some as own, filed in random order.
		var runs []offRange
		for at := 0; at < n; {
			l := 1 + rng.IntN(8)
			if at+l > n {
				l = n - at
			}
			if rng.IntN(3) > 0 {
				runs = append(runs, offRange{int64(at), int64(at + l)})
				for i := at; i < at+l; i++ {
					own[i] = true
				}
			}
			at += l
		}
		rng.Shuffle(len(runs), func(i, j int) { runs[i], runs[j] = runs[j], runs[i] })
		for _, r := range runs {
			w.ProduceDone(w.ProduceStarted(), []kafka.Written{{Partition: 3, From: r.from, To: r.to}})
		}
		from := int64(rng.IntN(n))
		to := from + int64(rng.IntN(n-int(from)+1))
		read := make([]bool, n)
		prev := from
		for _, g := range w.gaps(nil, 3, from, to) {
			if g.from < prev || g.to <= g.from || g.to > to {
				t.Fatalf("trial %d: gap %v out of order or range [%d, %d)", trial, g, from, to)
			}
			prev = g.to
			for i := g.from; i < g.to; i++ {
				read[i] = true
			}
		}
		for i := from; i < to; i++ {
			if read[i] == own[i] {
				t.Fatalf("trial %d: offset %d own=%v read=%v", trial, i, own[i], read[i])
			}
		}
	}
}

// TestOwnSettled: a mark is settled once every call started before it has ended, in whatever order they end;
// calls started later do not matter.
func TestOwnSettled(t *testing.T) {
	var w ownWrites
	a, b := w.ProduceStarted(), w.ProduceStarted()
	m := w.mark()
	c := w.ProduceStarted()
	if w.settled(m) {
		t.Fatal("settled with two calls running")
	}
	w.ProduceDone(b, nil)
	if w.settled(m) {
		t.Fatal("settled with the first call running")
	}
	woke := make(chan bool)
	go func() { woke <- w.wait(context.Background(), m, time.Minute) }()
	w.ProduceDone(a, nil)
	if !<-woke || !w.settled(m) {
		t.Fatal("not settled after both calls ended")
	}
	if w.settled(w.mark()) {
		t.Error("a later mark is settled while call c runs")
	}
	w.ProduceDone(c, nil)
	if !w.settled(w.mark()) || len(w.inflight) != 0 {
		t.Errorf("settled %v, %d calls pending", w.settled(w.mark()), len(w.inflight))
	}
	// wait gives up when its context ends.
	d := w.ProduceStarted()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if w.wait(ctx, w.mark(), time.Minute) {
		t.Error("wait returned settled with a call running")
	}
	w.ProduceDone(d, nil)
}

// TestOwnRangesBounded: while the tailer does not pass them, at most maxOwnRanges ranges are kept per
// partition; the oldest are forgotten (and would be read).
func TestOwnRangesBounded(t *testing.T) {
	var w ownWrites
	for i := range maxOwnRanges + 10 {
		w.ProduceDone(w.ProduceStarted(), []kafka.Written{{Partition: 0, From: int64(2 * i), To: int64(2*i + 1)}})
	}
	if n := len(w.parts[0]); n != maxOwnRanges {
		t.Fatalf("%d ranges kept, want %d", n, maxOwnRanges)
	}
	if got := w.gaps(nil, 0, 0, 4); !reflect.DeepEqual(got, []offRange{{0, 4}}) {
		t.Errorf("the oldest ranges should be forgotten: gaps %v", got)
	}
}
