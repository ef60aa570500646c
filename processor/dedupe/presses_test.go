package dedupe

import (
	"fmt"
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
