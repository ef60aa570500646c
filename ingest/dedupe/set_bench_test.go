package dedupe

import (
	"strconv"
	"testing"
	"time"
)

// BenchmarkSet is the ingest's use of the set with a million ids and more held (so lookups miss the CPU
// caches): per op, the 1,000 new ids of a request are looked up and then added.
func BenchmarkSet(b *testing.B) {
	now := time.Now()
	s := New(24*time.Hour, 5_000_000)
	keys := make([]Key, 1000)
	fill := func(round int) {
		p := "r" + strconv.Itoa(round) + "-"
		for i := range keys {
			keys[i] = s.Key("shop-1", p+strconv.Itoa(i))
		}
	}
	for r := range 1000 {
		fill(r)
		s.AddKeys(keys, now)
	}
	seen := make([]bool, len(keys))
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		fill(1_000_000 + i)
		b.StartTimer()
		s.SeenKeys(keys, now, seen)
		s.AddKeys(keys, now)
	}
}
