// Package dedupe remembers the ids of accepted events for a horizon, so a client's retry or a device's
// resend is answered "duplicate" instead of being written twice.
//
// The set is in memory. It is rebuilt at start and kept current by tailing the events topic from
// now - horizon (see Tailer), so ids accepted before a restart and by other ingest instances are known as
// soon as Kafka has them. Two instances that receive the same id at the same moment may both write it; the
// processor deduplicates authoritatively, so that race never double-counts.
package dedupe

import (
	"crypto/rand"
	"encoding/hex"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	kafkago "github.com/segmentio/kafka-go"
)

const shards = 64

// Set is a concurrent set of ids, each remembered until its expiry.
type Set struct {
	horizon  time.Duration
	perShard int
	seed     maphash.Seed
	shards   [shards]shard
	origin   string
	header   []kafkago.Header

	// unsure holds ids whose write failed as far as this instance knows (timeout, broker error) but may be
	// in Kafka all the same: the tailer, which skips this instance's own events, learns them after all
	// when they show up. nUnsure lets it skip the lock while the map is empty, which is nearly always.
	unsureMu sync.Mutex
	unsure   map[string]struct{}
	nUnsure  atomic.Int64
}

// OriginHeader is the Kafka header naming the ingest instance that wrote an event (Set.Origin).
const OriginHeader = "cxm-ingest"

// maxUnsure bounds the ids kept by MaybeWritten; past it the set starts over, which at worst lets a retry
// write an event a second time (the processor deduplicates by id).
const maxUnsure = 1 << 16

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
	s := &Set{horizon: horizon, perShard: max(1, maxIDs/shards), seed: maphash.MakeSeed(), origin: NewOrigin(),
		unsure: map[string]struct{}{}}
	for i := range s.shards {
		s.shards[i].m = map[string]int64{}
	}
	s.header = OriginHeaders(s.origin)
	return s
}

// NewOrigin returns a random instance id: 16 hex digits, new for every process, so events written before a
// restart are read back like any other instance's.
func NewOrigin() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// OriginHeaders are the headers marking an event as written by the instance origin.
func OriginHeaders(origin string) []kafkago.Header {
	return []kafkago.Header{{Key: OriginHeader, Value: []byte(origin)}}
}

// Origin identifies the instance this set belongs to. Every event the instance writes carries it in
// Headers, so its tailer can skip them: their ids are added when Kafka confirms them (Add).
func (s *Set) Origin() string { return s.origin }

// Headers are the headers to put on every event this instance writes (shared: do not modify).
func (s *Set) Headers() []kafkago.Header { return s.header }

// own reports whether headers mark an event written by this instance.
func (s *Set) own(headers []kafkago.Header) bool {
	for i := range headers {
		if headers[i].Key == OriginHeader {
			return string(headers[i].Value) == s.origin
		}
	}
	return false
}

// MaybeWritten notes ids whose write this instance reported failed: should they reach Kafka anyway, the
// tailer adds them although they carry this instance's origin.
func (s *Set) MaybeWritten(ids ...string) {
	s.unsureMu.Lock()
	defer s.unsureMu.Unlock()
	if len(s.unsure)+len(ids) > maxUnsure {
		clear(s.unsure)
	}
	for _, id := range ids {
		s.unsure[id] = struct{}{}
	}
	s.nUnsure.Store(int64(len(s.unsure)))
}

// takeUnsure reports whether id was noted by MaybeWritten, and forgets it.
func (s *Set) takeUnsure(id string) bool {
	if s.nUnsure.Load() == 0 {
		return false
	}
	s.unsureMu.Lock()
	defer s.unsureMu.Unlock()
	_, ok := s.unsure[id]
	if ok {
		delete(s.unsure, id)
		s.nUnsure.Store(int64(len(s.unsure)))
	}
	return ok
}

// AddAll is Add for ids accepted together.
func (s *Set) AddAll(ids []string, accepted time.Time) {
	exp := accepted.Add(s.horizon).UnixNano()
	now := time.Now().UnixNano()
	for _, id := range ids {
		s.shard(id).add(id, exp, now, s.perShard)
	}
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
	s.shard(id).add(id, accepted.Add(s.horizon).UnixNano(), time.Now().UnixNano(), s.perShard)
}

func (sh *shard) add(id string, exp, now int64, limit int) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if old, ok := sh.m[id]; ok && old >= exp {
		return
	}
	sh.m[id] = exp
	sh.fifo = append(sh.fifo, entry{id, exp})
	sh.trim(now, limit)
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
