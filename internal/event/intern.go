package event

import (
	"encoding/binary"
	"sync/atomic"
)

// names caches recent location and device names. A device or a batch repeats a handful of them, and Parse
// would otherwise allocate a copy of each for every event. It is direct-mapped: a slot holds the last name
// that hashed to it, so many distinct names only cost the allocation they would have cost anyway (which is
// also all that names crafted to share a slot can cost, so a fast unkeyed hash does).
var names [4096]atomic.Pointer[string]

// maxInterned bounds the names worth caching; longer ones are copied as usual.
const maxInterned = 64

// intern returns string(b), shared with earlier calls for the same bytes when the cache still holds them.
func intern(b []byte) string {
	if len(b) == 0 || len(b) > maxInterned {
		return string(b)
	}
	slot := &names[nameSlot(b)]
	if p := slot.Load(); p != nil && *p == string(b) {
		return *p
	}
	s := string(b)
	slot.Store(&s)
	return s
}

// nameSlot hashes b (at most maxInterned bytes) to a slot of names: a multiply-xorshift over 8-byte words.
func nameSlot(b []byte) uint64 {
	const m = 0x9E3779B97F4A7C15
	h := uint64(len(b)) * m
	for ; len(b) >= 8; b = b[8:] {
		h = (h ^ binary.LittleEndian.Uint64(b)) * m
		h ^= h >> 29
	}
	if len(b) > 0 {
		var w uint64
		for i, c := range b {
			w |= uint64(c) << (8 * i)
		}
		h = (h ^ w) * m
		h ^= h >> 29
	}
	return (h * m) >> (64 - 12) // the top 12 bits: len(names) is 4096
}
