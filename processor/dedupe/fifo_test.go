package dedupe

import "testing"

// TestFifo pushes and pops in patterns that cross block boundaries and empty the queue, checking order,
// length and that emptied blocks are let go.
func TestFifo(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps [][2]int // push n, then pop m
	}{
		{"one short block", [][2]int{{10, 4}, {3, 9}}},
		{"across blocks", [][2]int{{fifoBlock + 7, fifoBlock - 1}, {2 * fifoBlock, fifoBlock + 3}}},
		{"emptied then reused", [][2]int{{fifoBlock, fifoBlock}, {5, 5}, {fifoBlock*2 + 1, 2}}},
		{"exactly a block", [][2]int{{fifoBlock, 0}, {0, fifoBlock}, {1, 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var q fifo[int]
			next, want := 0, 0 // next value to push, next value expected at the front
			for _, st := range tc.steps {
				for range st[0] {
					q.push(next)
					next++
				}
				for range st[1] {
					f := q.front()
					if f == nil {
						t.Fatalf("empty queue, want %d at the front", want)
					}
					if *f != want {
						t.Fatalf("front %d, want %d", *f, want)
					}
					q.pop()
					want++
				}
				if q.len() != next-want {
					t.Fatalf("len %d, want %d", q.len(), next-want)
				}
				if n := q.len(); len(q.blocks) > n/fifoBlock+2 {
					t.Fatalf("%d blocks kept for %d entries", len(q.blocks), n)
				}
			}
			if next == want && q.front() != nil {
				t.Fatalf("front %d of an empty queue", *q.front())
			}
		})
	}
}
