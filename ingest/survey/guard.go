package survey

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cxm-project/cxm/internal/config"
)

// Misuse reasons: an answer over one of these limits is kept, flagged with the reason, and counted in no KPI.
const (
	MisuseAddress  = "address_limit"  // more than survey_guard.per_address answers from one client address
	MisuseLocation = "location_limit" // more than survey_guard.per_location answers at one location
	MisuseBurst    = "burst"          // more than survey_guard.burst answers at one location within burst_window
	MisuseOverflow = "table_full"     // the guard's tables were full: an answer it could not tell apart
)

// nonce errors, each answered differently (see Handler.answer).
type nonceState int

const (
	nonceOK nonceState = iota
	nonceBad
	nonceExpired
	nonceReplayed
)

// guard holds the survey pages' abuse defences. Every table is capped at MaxTracked entries, so memory is
// O(MaxTracked) (~100 bytes an entry) whatever is sent: addresses beyond the cap share one overflow
// counter, and used nonces beyond it are refused as if replayed until older ones expire.
type guard struct {
	cfg config.SurveyGuard
	key []byte

	mu          sync.Mutex
	windowStart time.Time
	perAddress  map[string]int
	perLocation map[string]int
	recent      map[string][]time.Time // per location: the last Burst answer times
	used        map[string]time.Time   // nonce -> its expiry
	misuse      *prometheus.CounterVec // flagged answers by reason
}

func newGuard(cfg config.SurveyGuard, key []byte, misuse *prometheus.CounterVec) *guard {
	// Every reason's series exists from the start at 0, so a rate() alert sees the first flagged answer.
	for _, r := range []string{MisuseAddress, MisuseLocation, MisuseBurst, MisuseOverflow} {
		misuse.WithLabelValues(r)
	}
	return &guard{cfg: cfg, key: key, perAddress: map[string]int{}, perLocation: map[string]int{},
		recent: map[string][]time.Time{}, used: map[string]time.Time{}, misuse: misuse}
}

// nonce issues a single-use token for one page of location and survey: random bytes and the issue time,
// signed with the shared key so any instance can check it without shared state.
func (g *guard) nonce(loc, survey string, now time.Time) string {
	var b [24]byte
	_, _ = rand.Read(b[:16])
	binary.BigEndian.PutUint64(b[16:], uint64(now.Unix()))
	p := base64.RawURLEncoding.EncodeToString(b[:])
	return p + "." + g.sign(p, loc, survey)
}

func (g *guard) sign(p, loc, survey string) string {
	m := hmac.New(sha256.New, g.key)
	m.Write([]byte("nonce\x00" + p + "\x00" + loc + "\x00" + survey))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// check verifies a nonce for location and survey and, when valid, marks it used. A nonce is used only once
// even across a failed write: the page the person gets back carries a fresh one.
func (g *guard) check(n, loc, survey string, now time.Time) nonceState {
	p, sig, ok := strings.Cut(n, ".")
	if !ok || len(n) > 128 || !hmac.Equal([]byte(sig), []byte(g.sign(p, loc, survey))) {
		return nonceBad
	}
	raw, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil || len(raw) != 24 {
		return nonceBad
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(raw[16:])), 0)
	if now.Sub(issued) > g.cfg.NonceTTL || issued.After(now.Add(time.Minute)) {
		return nonceExpired
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, seen := g.used[p]; seen {
		return nonceReplayed
	}
	if len(g.used) >= g.cfg.MaxTracked {
		for k, exp := range g.used {
			if now.After(exp) {
				delete(g.used, k)
			}
		}
		if len(g.used) >= g.cfg.MaxTracked {
			// Cannot remember another nonce: refusing is the only way not to accept replays.
			return nonceReplayed
		}
	}
	g.used[p] = issued.Add(g.cfg.NonceTTL)
	return nonceOK
}

// decide counts one answer from addr at loc and returns its misuse reason, or "" for a normal answer.
func (g *guard) decide(addr, loc string, now time.Time) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	if now.Sub(g.windowStart) >= g.cfg.Window {
		// Fixed windows: one clear per window keeps the tables' size bounded by what one window saw.
		clear(g.perAddress)
		clear(g.perLocation)
		g.windowStart = now
	}
	reason := ""
	key := addr
	if _, ok := g.perAddress[key]; !ok && len(g.perAddress) >= g.cfg.MaxTracked {
		key, reason = "\x00overflow", MisuseOverflow
	}
	g.perAddress[key]++
	if reason == "" && g.perAddress[key] > g.cfg.PerAddress {
		reason = MisuseAddress
	}
	g.perLocation[loc]++ // locations are the registry's, so this table is bounded by it
	if reason == "" && g.perLocation[loc] > g.cfg.PerLocation {
		reason = MisuseLocation
	}
	times := g.recent[loc]
	if len(times) >= g.cfg.Burst {
		if reason == "" && now.Sub(times[0]) < g.cfg.BurstWindow {
			reason = MisuseBurst
		}
		times = append(times[:0], times[1:]...)
	}
	g.recent[loc] = append(times, now)
	if reason != "" {
		g.misuse.WithLabelValues(reason).Inc()
	}
	return reason
}
