// Package dedupe remembers the ids of accepted events for a horizon, so a client's retry or a device's
// resend is answered "duplicate" instead of being written twice.
//
// The set is in memory. It is rebuilt at start and kept current by tailing the events topic from
// now - horizon (see Tailer), so ids accepted before a restart and by other ingest instances are known as
// soon as Kafka has them. Two instances that receive the same id at the same moment may both write it; the
// processor deduplicates authoritatively, so that race never double-counts.
//
// Memory: an id takes one 24-byte entry in its shard's hash table, kept between 3/8 and 3/4 full while the
// set grows (32 to 64 bytes per id), and one in the shard's ring, between half and all used (24 to 48
// bytes): 56 to 112 bytes per id whatever its length, so the default ingest.dedupe.max_ids of 5 million
// takes at most about 560 MB. Both shrink when the ids expire.
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

// Key is what the set stores for an id: a 128-bit hash (two 64-bit maphash values under independent random
// seeds, new for every process). A fixed-size key without pointers keeps the set's maps and rings out of the
// garbage collector's scan (millions of string keys made every GC cycle walk them all) and halves its
// memory. Two different ids share a key with probability 2^-128; with the set full (ingest.dedupe.max_ids
// = 5 million) a new id matches one of them with odds of about 1.5·10^-32, so across 10^15 events
// (30 million per second for a year) the chance that any event is ever wrongly answered "duplicate" stays
// below 10^-16. The seeds are secret and random per process, so clients cannot craft colliding ids either.
// Keys are only comparable within one Set.
type Key struct{ hi, lo uint64 }

// Slot is a 64-bit part of the key, for hash tables of keys.
func (k Key) Slot() uint64 { return k.hi }

// Set is a concurrent set of ids, each remembered until its expiry.
type Set struct {
	horizon      time.Duration
	perShard     int
	seed1, seed2 maphash.Seed
	shards       [shards]shard
	origin       string
	header       []kafkago.Header

	// unsure holds ids whose write failed as far as this instance knows (timeout, broker error) but may be
	// in Kafka all the same: the tailer, which does not learn this instance's own events otherwise, learns
	// them when they show up. nUnsure lets it skip the lock while the map is empty, which is nearly always.
	unsureMu sync.Mutex
	unsure   map[Key]struct{}
	nUnsure  atomic.Int64
}

// OriginHeader is the Kafka header naming the ingest instance that wrote an event (Set.Origin).
const OriginHeader = "cxm-ingest"

// maxUnsure bounds the ids kept by MaybeWritten; past it the set starts over, which at worst lets a retry
// write an event a second time (the processor deduplicates by id).
const maxUnsure = 1 << 16

type shard struct {
	mu sync.Mutex
	// tab is a hash table of keys and their expiry (unix nanoseconds; 0 marks a free slot), with linear
	// probing. Keys are hashes already, so their low bits index it directly, and a lookup is one probe
	// into contiguous memory, where Go's map hashed the key again and took two lookups to update one.
	// Its length is 0 or a power of two, at most 3/4 used.
	tab  []entry
	used int
	// ring holds the keys in insertion order, which is close to expiry order, so expired and excess ids are
	// dropped from the front without scanning the map. Its length is 0 or a power of two.
	ring []entry
	head int // index of the oldest entry
	n    int // entries in use

	touched int64 // see touch
}

type entry struct {
	key    Key
	expiry int64
}

// New returns a set remembering ids for horizon, at most maxIDs of them.
func New(horizon time.Duration, maxIDs int) *Set {
	s := &Set{horizon: horizon, perShard: max(1, maxIDs/shards), seed1: maphash.MakeSeed(), seed2: maphash.MakeSeed(),
		origin: NewOrigin(), unsure: map[Key]struct{}{}}
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
// Headers, so its tailer knows them when it reads them (mostly it does not: see Tailer): their ids are added
// when Kafka confirms them (Add).
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

// Key returns the key of id within location in this set. Ids are scoped to their location: a client
// allowed to write one location cannot make another location's event a "duplicate" by sending its id
// first. The location's length comes first, so no two (location, id) pairs hash the same bytes.
func (s *Set) Key(location, id string) Key {
	var h1, h2 maphash.Hash
	h1.SetSeed(s.seed1)
	h2.SetSeed(s.seed2)
	for _, h := range [...]*maphash.Hash{&h1, &h2} {
		writeLen(h, len(location))
		h.WriteString(location)
		h.WriteString(id)
	}
	return Key{h1.Sum64(), h2.Sum64()}
}

// keyBytes is Key for a location and an id held in bytes.
func (s *Set) keyBytes(location, id []byte) Key {
	var h1, h2 maphash.Hash
	h1.SetSeed(s.seed1)
	h2.SetSeed(s.seed2)
	for _, h := range [...]*maphash.Hash{&h1, &h2} {
		writeLen(h, len(location))
		h.Write(location)
		h.Write(id)
	}
	return Key{h1.Sum64(), h2.Sum64()}
}

func writeLen(h *maphash.Hash, n int) {
	var b [4]byte
	b[0], b[1], b[2], b[3] = byte(n), byte(n>>8), byte(n>>16), byte(n>>24)
	h.Write(b[:])
}

// MaybeWritten notes the keys of ids whose write this instance reported failed: should they reach Kafka
// anyway, the tailer adds them although they carry this instance's origin.
func (s *Set) MaybeWritten(keys ...Key) {
	s.unsureMu.Lock()
	defer s.unsureMu.Unlock()
	if len(s.unsure)+len(keys) > maxUnsure {
		clear(s.unsure)
	}
	for _, k := range keys {
		s.unsure[k] = struct{}{}
	}
	s.nUnsure.Store(int64(len(s.unsure)))
}

// takeUnsure reports whether the id of location was noted by MaybeWritten, and forgets it.
func (s *Set) takeUnsure(location, id string) bool { return s.takeUnsureKey(s.Key(location, id)) }

func (s *Set) takeUnsureKey(k Key) bool {
	if s.nUnsure.Load() == 0 {
		return false
	}
	s.unsureMu.Lock()
	defer s.unsureMu.Unlock()
	_, ok := s.unsure[k]
	if ok {
		delete(s.unsure, k)
		s.nUnsure.Store(int64(len(s.unsure)))
	}
	return ok
}

// AddAll is Add for ids of one location accepted together.
func (s *Set) AddAll(location string, ids []string, accepted time.Time) {
	exp := accepted.Add(s.horizon).UnixNano()
	now := time.Now().UnixNano()
	for _, id := range ids {
		k := s.Key(location, id)
		s.shard(k).add(k, exp, now, s.perShard)
	}
}

// AddKeys is AddAll for keys (Key). It takes each shard's lock once for all its keys.
func (s *Set) AddKeys(keys []Key, accepted time.Time) {
	exp := accepted.Add(s.horizon).UnixNano()
	now := time.Now().UnixNano()
	if exp <= now || len(keys) == 0 {
		return
	}
	s.byShard(keys, func(sd *shard, idx []int32) {
		for _, i := range idx {
			sd.insert(keys[i], exp)
		}
		sd.trim(now, s.perShard)
	})
}

// SeenKeys sets seen[i] to SeenKey(keys[i], now), taking each shard's lock once for all its keys.
func (s *Set) SeenKeys(keys []Key, now time.Time, seen []bool) {
	at := now.UnixNano()
	s.byShard(keys, func(sd *shard, idx []int32) {
		for _, i := range idx {
			seen[i] = sd.get(keys[i]) > at
		}
	})
}

// byShard calls f once for each shard holding some of keys, with the shard locked and its home slots for
// those keys touched first (so their cache misses overlap), and the indexes of those keys.
func (s *Set) byShard(keys []Key, f func(sd *shard, idx []int32)) {
	g := groupByShard(keys)
	defer groups.Put(g)
	for sh := range shards {
		idx := g.shard(sh)
		if len(idx) == 0 {
			continue
		}
		sd := &s.shards[sh]
		sd.mu.Lock()
		sd.touch(keys, idx)
		f(sd, idx)
		sd.mu.Unlock()
	}
}

// keyGroups orders the indexes of a batch of keys by shard.
type keyGroups struct {
	order []int32
	start [shards + 1]int32
}

var groups = sync.Pool{New: func() any { return new(keyGroups) }}

// groupByShard sorts the indexes of keys by shard (a counting sort). Return the result to groups.
func groupByShard(keys []Key) *keyGroups {
	g := groups.Get().(*keyGroups)
	var next [shards]int32
	for _, k := range keys {
		next[k.hi%shards]++
	}
	var sum int32
	for sh := range shards {
		g.start[sh] = sum
		sum, next[sh] = sum+next[sh], sum
	}
	g.start[shards] = sum
	if cap(g.order) < len(keys) {
		g.order = make([]int32, len(keys))
	}
	g.order = g.order[:len(keys)]
	for i, k := range keys {
		sh := k.hi % shards
		g.order[next[sh]] = int32(i)
		next[sh]++
	}
	return g
}

// shard returns the indexes of the keys of shard sh.
func (g *keyGroups) shard(sh int) []int32 { return g.order[g.start[sh]:g.start[sh+1]] }

// Horizon is how long an id is remembered.
func (s *Set) Horizon() time.Duration { return s.horizon }

func (s *Set) shard(k Key) *shard {
	return &s.shards[k.hi%shards]
}

// Seen reports whether the id of location was added and has not expired at now.
func (s *Set) Seen(location, id string, now time.Time) bool {
	return s.SeenKey(s.Key(location, id), now)
}

// SeenKey is Seen for a key (Key).
func (s *Set) SeenKey(k Key, now time.Time) bool {
	sh := s.shard(k)
	sh.mu.Lock()
	exp := sh.get(k)
	sh.mu.Unlock()
	return exp > now.UnixNano()
}

// Add remembers the id of location as accepted at the given time (Kafka's receive time), for the horizon
// from then.
func (s *Set) Add(location, id string, accepted time.Time) { s.addKey(s.Key(location, id), accepted) }

func (s *Set) addKey(k Key, accepted time.Time) {
	s.shard(k).add(k, accepted.Add(s.horizon).UnixNano(), time.Now().UnixNano(), s.perShard)
}

func (sh *shard) add(k Key, exp, now int64, limit int) {
	if exp <= now {
		return // expired already (and 0 marks a free slot)
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sh.insert(k, exp)
	sh.trim(now, limit)
}

// insert sets k's expiry to exp unless it is later already (exp > 0); trim follows.
func (sh *shard) insert(k Key, exp int64) {
	if len(sh.tab) == 0 || (sh.used+1)*4 > len(sh.tab)*3 {
		sh.rehash(max(64, 2*len(sh.tab)))
	}
	i, found := sh.find(k)
	if found && sh.tab[i].expiry >= exp {
		return
	}
	if !found {
		sh.tab[i].key = k
		sh.used++
	}
	sh.tab[i].expiry = exp
	sh.push(entry{k, exp})
}

// touch loads the home slot of each of keys[idx] before they are looked up one by one. With millions of
// ids nearly every lookup misses the CPU caches; these loads do not depend on each other, so the CPU waits
// for their misses all at once rather than one lookup after the other.
func (sh *shard) touch(keys []Key, idx []int32) {
	if noTouch || len(sh.tab) == 0 {
		return
	}
	mask := len(sh.tab) - 1
	var sum int64
	for _, i := range idx {
		sum += sh.tab[int(keys[i].lo)&mask].expiry
	}
	sh.touched = sum // kept, so the loads are not optimised away
}

// push appends e to the ring, doubling it when full.
func (sh *shard) push(e entry) {
	if sh.n == len(sh.ring) {
		sh.resize(max(64, 2*len(sh.ring)))
	}
	sh.ring[(sh.head+sh.n)&(len(sh.ring)-1)] = e
	sh.n++
}

// resize moves the entries, oldest first, into a ring of size (a power of two, at least n).
func (sh *shard) resize(size int) {
	ring := make([]entry, size)
	if sh.n > 0 {
		k := copy(ring, sh.ring[sh.head:min(len(sh.ring), sh.head+sh.n)])
		copy(ring[k:sh.n], sh.ring)
	}
	sh.ring, sh.head = ring, 0
}

// trim drops expired entries from the front, and the oldest ones beyond the cap.
func (sh *shard) trim(now int64, limit int) {
	mask := len(sh.ring) - 1
	for sh.n > 0 {
		e := sh.ring[sh.head]
		if e.expiry > now && sh.used <= limit {
			break
		}
		// A later Add of the same id left a newer entry behind; only the newest removes the id.
		if i, found := sh.find(e.key); found && sh.tab[i].expiry == e.expiry {
			sh.remove(i)
		}
		sh.head = (sh.head + 1) & mask
		sh.n--
	}
	// Shrink once a quarter (ring) or an eighth (table) is in use, so memory follows the live ids.
	if len(sh.ring) > 1024 && sh.n*4 < len(sh.ring) {
		sh.resize(len(sh.ring) / 2)
	}
	if len(sh.tab) > 1024 && sh.used*8 < len(sh.tab) {
		sh.rehash(len(sh.tab) / 2)
	}
}

// get returns k's expiry, 0 when absent.
func (sh *shard) get(k Key) int64 {
	if len(sh.tab) == 0 {
		return 0
	}
	i, _ := sh.find(k)
	return sh.tab[i].expiry
}

// find returns k's slot, or the free slot where it belongs. The table must have a free slot.
func (sh *shard) find(k Key) (int, bool) {
	mask := len(sh.tab) - 1
	for i := int(k.lo) & mask; ; i = (i + 1) & mask {
		e := &sh.tab[i]
		if e.expiry == 0 {
			return i, false
		}
		if e.key == k {
			return i, true
		}
	}
}

// remove frees slot i, moving later entries of its probe run back so that no lookup stops at the hole
// too early (backward-shift deletion: no tombstones).
func (sh *shard) remove(i int) {
	mask := len(sh.tab) - 1
	for j := (i + 1) & mask; sh.tab[j].expiry != 0; j = (j + 1) & mask {
		// The entry at j may fill the hole unless its home slot lies after the hole, up to j.
		if home := int(sh.tab[j].key.lo) & mask; (j-home)&mask >= (j-i)&mask {
			sh.tab[i] = sh.tab[j]
			i = j
		}
	}
	sh.tab[i] = entry{}
	sh.used--
}

// rehash moves the table's entries into one of size slots (a power of two).
func (sh *shard) rehash(size int) {
	old := sh.tab
	sh.tab = make([]entry, size)
	for _, e := range old {
		if e.expiry != 0 {
			i, _ := sh.find(e.key)
			sh.tab[i] = e
		}
	}
}

// Len is the number of ids held (expired ones may linger until the next Add on their shard).
func (s *Set) Len() int {
	n := 0
	for i := range s.shards {
		s.shards[i].mu.Lock()
		n += s.shards[i].used
		s.shards[i].mu.Unlock()
	}
	return n
}

var noTouch = false
