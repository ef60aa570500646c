package event

import (
	"hash/maphash"
	"sync/atomic"
)

// names caches recent location and device names. A device or a batch repeats a handful of them, and Parse
// would otherwise allocate a copy of each for every event. It is direct-mapped: a slot holds the last name
// that hashed to it, so many distinct names only cost the allocation they would have cost anyway.
var (
	names     [4096]atomic.Pointer[string]
	namesSeed = maphash.MakeSeed()
)

// maxInterned bounds the names worth caching; longer ones are copied as usual.
const maxInterned = 64

// intern returns string(b), shared with earlier calls for the same bytes when the cache still holds them.
func intern(b []byte) string {
	if len(b) == 0 || len(b) > maxInterned {
		return string(b)
	}
	slot := &names[maphash.Bytes(namesSeed, b)%uint64(len(names))]
	if p := slot.Load(); p != nil && *p == string(b) {
		return *p
	}
	s := string(b)
	slot.Store(&s)
	return s
}
