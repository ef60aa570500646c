package dedupe

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

// Repeats are judged in event time whatever the arrival order: each case inserts presses (time, id) in
// the listed order and names the ones that must be repeats at the end, and which insert flips which press.
func TestPressesInsert(t *testing.T) {
	type in struct {
		t  int64
		id string
	}
	cases := []struct {
		name     string
		presses  []in
		repeat   []bool   // Insert's verdict for each press, on arrival
		flipped  []string // per press: the id it turned into a repeat, or ""
		interval int64
	}{
		{"in order", []in{{10, "a"}, {11, "b"}, {20, "c"}}, []bool{false, true, false}, []string{"", "", ""}, 3},
		{"earlier press arrives late", []in{{11, "b"}, {10, "a"}}, []bool{false, false}, []string{"", "b"}, 3},
		{"late press far enough", []in{{20, "b"}, {10, "a"}}, []bool{false, false}, []string{"", ""}, 3},
		{"successor already a repeat", []in{{10, "a"}, {12, "c"}, {11, "b"}}, []bool{false, true, true}, []string{"", "", ""}, 3},
		{"late press between two counted", []in{{10, "a"}, {14, "c"}, {12, "b"}}, []bool{false, false, true}, []string{"", "", "c"}, 3},
		{"same second: smaller id first", []in{{10, "z"}, {10, "m"}}, []bool{false, false}, []string{"", "z"}, 3},
		{"interval edge", []in{{10, "a"}, {13, "b"}}, []bool{false, false}, []string{"", ""}, 3},
		{"repeat interval off", []in{{10, "a"}, {10, "b"}}, []bool{false, false}, []string{"", ""}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := NewPresses()
			k := DeviceKey{Location: "l", Device: "d"}
			for i, x := range c.presses {
				rep, fl := p.Insert(k, Press{Time: x.t, ID: x.id}, c.interval)
				got := ""
				if fl != nil {
					got = fl.ID
				}
				if rep != c.repeat[i] || got != c.flipped[i] {
					t.Errorf("press %v: repeat %v flipped %q, want %v %q", x, rep, got, c.repeat[i], c.flipped[i])
				}
			}
		})
	}
}

// Evict drops only presses before the window, and a rebuilt memory (Load, Sorted) judges like the live one.
func TestPressesEvictAndLoad(t *testing.T) {
	live, rebuilt := NewPresses(), NewPresses()
	k := DeviceKey{Location: "l", Device: "d"}
	for i, tm := range []int64{50, 10, 30, 20, 40} {
		x := Press{Time: tm, ID: fmt.Sprint(i)}
		live.Insert(k, x, 3)
		rebuilt.Load(k, x)
	}
	rebuilt.Sorted()
	live.Evict(25)
	rebuilt.Evict(25)
	if live.Count() != 3 || rebuilt.Count() != 3 {
		t.Fatalf("after evict: %d and %d presses, want 3", live.Count(), rebuilt.Count())
	}
	for _, p := range []*Presses{live, rebuilt} {
		rep, fl := p.Insert(k, Press{Time: 29, ID: "x"}, 3)
		if rep || fl == nil || fl.Time != 30 {
			t.Errorf("press at 29: repeat %v flipped %+v, want counted and the press at 30 flipped", rep, fl)
		}
	}
	live.Evict(100)
	if live.Len() != 0 || live.Count() != 0 {
		t.Errorf("all evicted: %d devices, %d presses", live.Len(), live.Count())
	}
}

// flatPresses is the plain model of one device's presses that pressList must agree with: one sorted
// slice, searched and shifted as a whole.
type flatPresses []Press

func (f *flatPresses) insert(x Press, interval int64) (repeat bool, flipped string) {
	s := *f
	i := sort.Search(len(s), func(j int) bool { return x.before(&s[j]) })
	repeat = i > 0 && x.Time-s[i-1].Time < interval
	if i < len(s) && !(i > 0 && s[i].Time-s[i-1].Time < interval) && s[i].Time-x.Time < interval {
		flipped = s[i].ID
	}
	*f = slices.Insert(s, i, x)
	return repeat, flipped
}

// insertBoth inserts x (repeat interval 3) into p as device k and into model, and fails the test unless
// both judge it the same.
func insertBoth(t *testing.T, p *Presses, model *flatPresses, k DeviceKey, x Press, what string) {
	t.Helper()
	gotRep, gotFl := p.Insert(k, x, 3)
	wantRep, wantFl := model.insert(x, 3)
	fl := ""
	if gotFl != nil {
		fl = gotFl.ID
	}
	if gotRep != wantRep || fl != wantFl {
		t.Fatalf("%s, press %+v: repeat %v flipped %q, want %v %q", what, x, gotRep, fl, wantRep, wantFl)
	}
}

// Across chunk splits, late presses at any depth, evictions and a rebuild, the chunked memory judges
// every press as the plain sorted slice does.
func TestPressesChunksAgreeWithModel(t *testing.T) {
	for _, tc := range []struct {
		name        string
		presses     int
		lateEvery   int // every n-th press is far back in time
		evictEvery  int
		spreadTimes int64
	}{
		{"in order, a few splits", 3 * chunkPresses, 0, 0, 1},
		{"late presses deep inside", 10 * chunkPresses, 7, 0, 2},
		{"ties and evictions", 6 * chunkPresses, 3, 500, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(tc.presses), 7))
			k := DeviceKey{Location: "l", Device: "d"}
			p, model := NewPresses(), flatPresses{}
			since := int64(0)
			for i := range tc.presses {
				x := Press{Time: int64(i) * tc.spreadTimes, ID: fmt.Sprintf("%06d", r.IntN(1e6))}
				if tc.lateEvery > 0 && i%tc.lateEvery == 0 {
					x.Time = since + r.Int64N(x.Time-since+1)
				}
				insertBoth(t, p, &model, k, x, fmt.Sprintf("press %d", i))
				if tc.evictEvery > 0 && i%tc.evictEvery == tc.evictEvery-1 {
					since = int64(i-tc.evictEvery/2) * tc.spreadTimes
					p.Evict(since)
					model = slices.DeleteFunc(model, func(q Press) bool { return q.Time < since })
				}
				if p.Count() != len(model) {
					t.Fatalf("press %d: %d presses held, want %d", i, p.Count(), len(model))
				}
			}
			var got []Press
			for _, c := range p.devices[k].chunks {
				if len(c) == 0 || len(c) > chunkPresses {
					t.Errorf("chunk of %d presses", len(c))
				}
				got = append(got, c...)
			}
			if !slices.Equal(got, model) {
				t.Errorf("held presses differ from the model's order")
			}
			rebuilt := NewPresses()
			for _, i := range r.Perm(len(model)) {
				rebuilt.Load(k, model[i])
			}
			rebuilt.Sorted()
			got = slices.Concat(rebuilt.devices[k].chunks...)
			if !slices.Equal(got, model) {
				t.Errorf("rebuilt presses differ from the model's order")
			}
		})
	}
}

// A press inserted at each position of a full chunk (which splits it) gets the neighbours the plain
// sorted slice gives it.
func TestPressesSplitAtEveryPosition(t *testing.T) {
	k := DeviceKey{Location: "l", Device: "d"}
	for at := 0; at <= chunkPresses; at++ {
		p, model := NewPresses(), flatPresses{}
		for j := range chunkPresses {
			x := Press{Time: int64(10 * (j + 1)), ID: "a"}
			p.Insert(k, x, 3)
			model.insert(x, 3)
		}
		for _, x := range []Press{{Time: int64(10*at + 5), ID: "b"}, {Time: int64(10*at + 6), ID: "c"}} {
			insertBoth(t, p, &model, k, x, fmt.Sprintf("insert at %d", at))
		}
	}
}
