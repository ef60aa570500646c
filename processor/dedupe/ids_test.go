package dedupe

import "testing"

// The memory's verdicts: rule (a) within the horizon of receive time whatever the event time, rule (b) by
// event time, Ask where only the raw table can tell, and ids scoped to their location.
func TestIDsCheck(t *testing.T) {
	const h = 100
	s := NewIDs(h)
	s.Add(KeyOf("shop-1", "R-1"), 1000, 990, 5, 1000, -1)
	for _, c := range []struct {
		name     string
		loc, id  string
		t, clock int64
		want     Verdict
	}{
		{"same event within the horizon", "shop-1", "R-1", 990, 1050, Dup},
		{"same id, another time, within the horizon of receive time", "shop-1", "R-1", 500, 1099, Dup},
		{"same event after the horizon: still remembered by event time", "shop-1", "R-1", 990, 5000, Dup},
		{"same id, another time, after the horizon: the table may know that time", "shop-1", "R-1", 995, 5000, Ask},
		{"another location's id is not the same id", "shop-2", "R-1", 990, 1050, New},
		{"unknown id with a recent time", "shop-1", "R-2", 1040, 1050, New},
		{"unknown id older than the horizon", "shop-1", "R-2", 900, 1050, Ask},
	} {
		if got := s.Check(KeyOf(c.loc, c.id), c.t, c.clock); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// An entry leaves the memory only once both its times are a horizon behind the clock and its row is
// durable; then Facts (when it holds a span) learns it, so memory and cache together never lose a fact.
func TestIDsEvictOnlyDurable(t *testing.T) {
	const h = 100
	s := NewIDs(h)
	s.Facts = NewFacts(1000)
	s.Facts.Fill("shop-1", 0, nil) // some day loaded: evicted entries go to Facts
	k := KeyOf("shop-1", "R-1")
	s.Add(k, 1000, 1000, 7, 1000, -1)
	s.Add(KeyOf("shop-1", "R-2"), 5000, 5000, 8, 5000, 6) // clock far on, but offset 7 not durable
	if s.Len() != 2 {
		t.Fatalf("evicted an entry whose row is not in ClickHouse: %d ids", s.Len())
	}
	s.Add(KeyOf("shop-1", "R-3"), 5001, 5001, 9, 5001, 7)
	if s.Len() != 2 {
		t.Fatalf("%d ids, want R-1 evicted once durable", s.Len())
	}
	if s.Check(k, 1000, 5001) != Ask || !s.Facts.Before(k, 1000, 10) {
		t.Error("an evicted entry must be asked for, and Facts must hold it")
	}
}

// An older event time of a key replaced before its row was durable is still a duplicate (displaced).
func TestIDsDisplaced(t *testing.T) {
	s := NewIDs(100)
	k := KeyOf("shop-1", "R-1")
	s.Add(k, 1000, 1000, 1, 1000, -1)
	s.Add(k, 1200, 1150, 2, 1200, -1) // the same id at another time, after the horizon
	if got := s.Check(k, 1000, 1300); got != Dup {
		t.Errorf("displaced, not durable: %v, want Dup", got)
	}
	s.Add(KeyOf("shop-1", "R-9"), 1300, 1300, 3, 1300, 2)
	if got := s.Check(k, 1000, 1300); got != Ask {
		t.Errorf("displaced and durable: %v, want Ask (the table has it)", got)
	}
}

// Facts judges by offset: only a row at a smaller offset is an original. A row at the event's own offset
// was written by an attempt that crashed before its mark; a row beyond it is a later event's.
func TestFactsBefore(t *testing.T) {
	f := NewFacts(10)
	from, _ := Span(86400 + 15)
	f.Fill("shop-1", from, []Row{{ID: "R-1", Time: 86415, Offset: 40}})
	k := KeyOf("shop-1", "R-1")
	for _, c := range []struct {
		off  int64
		t    int64
		want bool
	}{{41, 86415, true}, {40, 86415, false}, {39, 86415, false}, {41, 86416, false}} {
		if got := f.Before(k, c.t, c.off); got != c.want {
			t.Errorf("Before(t=%d, off=%d) = %v, want %v", c.t, c.off, got, c.want)
		}
	}
	if !f.Has("shop-1", 86400) || !f.Has("shop-1", 2*86400-1) || f.Has("shop-1", 2*86400) || f.Has("shop-1", 86399) || f.Has("shop-2", 86400) {
		t.Error("Has covers exactly the loaded day of the location")
	}
	f.Fill("shop-1", 0, make([]Row, 10)) // past max: starts over
	if f.Has("shop-1", 86400) || f.Before(k, 86415, 41) {
		t.Error("a full cache must start over")
	}
}
