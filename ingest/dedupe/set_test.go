package dedupe

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

func TestSet(t *testing.T) {
	now := time.Now()
	s := New(time.Hour, 1<<20)
	s.Add("l", "a", now.Add(-2*time.Hour)) // accepted before the horizon: already forgotten
	s.Add("l", "b", now.Add(-30*time.Minute))
	if s.Seen("l", "a", now) || !s.Seen("l", "b", now) || s.Seen("l", "c", now) {
		t.Errorf("seen a=%v b=%v c=%v", s.Seen("l", "a", now), s.Seen("l", "b", now), s.Seen("l", "c", now))
	}
	if s.Seen("l", "b", now.Add(31*time.Minute)) {
		t.Error("b outlived the horizon")
	}
	small := New(time.Hour, shards) // one id per shard
	for i := range 10 * shards {
		small.Add("l", strconv.Itoa(i), now)
	}
	if n := small.Len(); n > shards {
		t.Errorf("cap: %d ids held, max %d", n, shards)
	}
}

func TestIDOf(t *testing.T) {
	for in, want := range map[string]string{`{"id":"x-1","type":"pos"}`: "x-1", `{"id":"a\"b","type":"pos"}`: `a"b`, `{"type":"pos"}`: ""} {
		if got, _ := IDOf([]byte(in)); got != want {
			t.Errorf("IDOf(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestOrigin(t *testing.T) {
	s, other := New(time.Hour, 1<<20), New(time.Hour, 1<<20)
	if s.Origin() == other.Origin() || len(s.Origin()) != 16 {
		t.Fatalf("origins %q and %q", s.Origin(), other.Origin())
	}
	if !s.own(s.Headers()) || s.own(other.Headers()) || s.own(nil) {
		t.Error("own: wrong instance")
	}
}

func TestMaybeWritten(t *testing.T) {
	s := New(time.Hour, 1<<20)
	if s.takeUnsure("l", "a") {
		t.Error("a was never noted")
	}
	s.MaybeWritten(s.Key("l", "a"), s.Key("l", "b"))
	if !s.takeUnsure("l", "a") || s.takeUnsure("l", "a") || s.takeUnsure("l", "c") {
		t.Error("takeUnsure must answer true once for a noted id")
	}
	if !s.takeUnsure("l", "b") || s.nUnsure.Load() != 0 {
		t.Errorf("b: %d left", s.nUnsure.Load())
	}
}

func TestAddAll(t *testing.T) {
	now := time.Now()
	s := New(time.Hour, 1<<20)
	s.AddAll("l", []string{"a", "b"}, now)
	if !s.Seen("l", "a", now) || !s.Seen("l", "b", now) || s.Seen("l", "a", now.Add(2*time.Hour)) {
		t.Error("AddAll")
	}
}

// TestShardTable checks the shard's hash table against a map through growth, removal and shrinking, with
// keys crowded into few home slots so that probe runs wrap and removals shift entries back.
func TestShardTable(t *testing.T) {
	var sh shard
	want := map[Key]int64{}
	rng := rand.New(rand.NewPCG(1, 2))
	key := func() Key { return Key{hi: rng.Uint64N(8), lo: rng.Uint64N(4096) << rng.UintN(3)} }
	check := func(step int) {
		t.Helper()
		if sh.used != len(want) {
			t.Fatalf("step %d: %d used, want %d", step, sh.used, len(want))
		}
		for k, exp := range want {
			if got := sh.get(k); got != exp {
				t.Fatalf("step %d: %v: expiry %d, want %d", step, k, got, exp)
			}
		}
	}
	for step := range 20000 {
		k := key()
		if rng.IntN(3) > 0 || step > 15000 && rng.IntN(2) == 0 {
			if step > 15000 {
				// Mostly removals at the end, so the table shrinks.
				for k2 := range want {
					k = k2
					break
				}
				if len(want) == 0 {
					continue
				}
			}
			if len(sh.tab) == 0 {
				continue
			}
			if i, found := sh.find(k); found {
				sh.remove(i)
				delete(want, k)
			} else if _, ok := want[k]; ok {
				t.Fatalf("step %d: %v lost", step, k)
			}
		} else {
			if len(sh.tab) == 0 || (sh.used+1)*4 > len(sh.tab)*3 {
				sh.rehash(max(64, 2*len(sh.tab)))
			}
			i, found := sh.find(k)
			if !found {
				sh.tab[i].key = k
				sh.used++
			}
			sh.tab[i].expiry = int64(step + 1)
			want[k] = int64(step + 1)
		}
		if len(sh.tab) > 1024 && sh.used*8 < len(sh.tab) {
			sh.rehash(len(sh.tab) / 2)
		}
		if step%500 == 0 {
			check(step)
		}
	}
	check(-1)
}

// TestRing: past the cap, ids leave in insertion order through the rings' growth and wrap-around.
func TestRing(t *testing.T) {
	now := time.Now()
	s := New(time.Hour, 1000*shards)
	for i := range 5000 * shards {
		s.Add("l", strconv.Itoa(i), now)
	}
	if n := s.Len(); n > 1000*shards || n < 900*shards {
		t.Fatalf("%d ids held, cap %d", n, 1000*shards)
	}
	for _, i := range []int{0, 1000, 3000 * shards} {
		if s.Seen("l", strconv.Itoa(i), now) {
			t.Errorf("%d: evicted id still seen", i)
		}
	}
	if !s.Seen("l", strconv.Itoa(5000*shards-1), now) {
		t.Error("the newest id was dropped")
	}
}
