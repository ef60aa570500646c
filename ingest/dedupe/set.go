// Package dedupe remembers the ids of accepted events for a horizon, so a client's retry or a device's
// resend is answered "duplicate" instead of being written twice.
//
// The set is in memory. It is rebuilt at start and kept current by tailing the events topic from
// now - horizon (see Tailer), so ids accepted before a restart and by other ingest instances are known as
// soon as Kafka has them. Two instances that receive the same id at the same moment may both write it; the
// processor deduplicates authoritatively, so that race never double-counts.
package dedupe

import (
	"hash/maphash"
	"sync"
	"time"
)

const shards = 64

// Set is a concurrent set of ids, each remembered until its expiry.
type Set struct {
	horizon  time.Duration
	perShard int
	seed     maphash.Seed
	shards   [shards]shard
}

type shard struct {
	mu sync.Mutex
	m  map[string]int64 // id -> expiry, unix nanoseconds
	// fifo holds ids in insertion order, which is close to expiry order, so expired and excess ids are
	// dropped from the front without scanning the map.
	fifo []entry
	head int
}

type entry struct {
	id     string
	expiry int64
}

// New returns a set remembering ids for horizon, at most maxIDs of them.
func New(horizon time.Duration, maxIDs int) *Set {
	s := &Set{horizon: horizon, perShard: max(1, maxIDs/shards), seed: maphash.MakeSeed()}
	for i := range s.shards {
		s.shards[i].m = map[string]int64{}
	}
	return s
}

// Horizon is how long an id is remembered.
func (s *Set) Horizon() time.Duration { return s.horizon }

func (s *Set) shard(id string) *shard {
	return &s.shards[maphash.String(s.seed, id)%shards]
}

// Seen reports whether id was added and has not expired at now.
func (s *Set) Seen(id string, now time.Time) bool {
	sh := s.shard(id)
	sh.mu.Lock()
	exp, ok := sh.m[id]
	sh.mu.Unlock()
	return ok && exp > now.UnixNano()
}

// Add remembers id as accepted at the given time (Kafka's receive time), for the horizon from then.
func (s *Set) Add(id string, accepted time.Time) {
	exp := accepted.Add(s.horizon).UnixNano()
	sh := s.shard(id)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if old, ok := sh.m[id]; ok && old >= exp {
		return
	}
	sh.m[id] = exp
	sh.fifo = append(sh.fifo, entry{id, exp})
	sh.trim(time.Now().UnixNano(), s.perShard)
}

// trim drops expired entries from the front, and the oldest ones beyond the cap.
func (sh *shard) trim(now int64, limit int) {
	for sh.head < len(sh.fifo) {
		e := sh.fifo[sh.head]
		if e.expiry > now && len(sh.m) <= limit {
			break
		}
		// A later Add of the same id left a newer entry behind; only the newest removes the id.
		if sh.m[e.id] == e.expiry {
			delete(sh.m, e.id)
		}
		sh.fifo[sh.head] = entry{}
		sh.head++
	}
	// Compact once the dead prefix is half the slice, so memory follows the live ids.
	if sh.head > 1024 && sh.head*2 > len(sh.fifo) {
		sh.fifo = append(sh.fifo[:0:0], sh.fifo[sh.head:]...)
		sh.head = 0
	}
}

// Len is the number of ids held (expired ones may linger until the next Add on their shard).
func (s *Set) Len() int {
	n := 0
	for i := range s.shards {
		s.shards[i].mu.Lock()
		n += len(s.shards[i].m)
		s.shards[i].mu.Unlock()
	}
	return n
}
