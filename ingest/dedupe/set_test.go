package dedupe

import (
	"strconv"
	"testing"
	"time"
)

func TestSet(t *testing.T) {
	now := time.Now()
	s := New(time.Hour, 1<<20)
	s.Add("a", now.Add(-2*time.Hour)) // accepted before the horizon: already forgotten
	s.Add("b", now.Add(-30*time.Minute))
	if s.Seen("a", now) || !s.Seen("b", now) || s.Seen("c", now) {
		t.Errorf("seen a=%v b=%v c=%v", s.Seen("a", now), s.Seen("b", now), s.Seen("c", now))
	}
	if s.Seen("b", now.Add(31*time.Minute)) {
		t.Error("b outlived the horizon")
	}
	small := New(time.Hour, shards) // one id per shard
	for i := range 10 * shards {
		small.Add(strconv.Itoa(i), now)
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
