// Package auth verifies bearer tokens: the ingest's write tokens and the API's read tokens, each kept in a
// set of its own. The config holds only "sha256:<hex>" hashes: tokens are 256-bit random strings
// (Generate), so a fast unsalted hash is enough — there is nothing to brute-force — and a leaked config
// does not leak a token.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"

	"github.com/cxm-project/cxm/internal/config"
)

// DevToken is the well-known development token. It is accepted, for every location, only when
// ingest.dev_token is on (`cxm run` turns it on; the config refuses it unless the listener is loopback).
const DevToken = "cxm-dev-token"

// DevTokenName names the development token in logs and metrics.
const DevTokenName = "dev"

// Token is what one write token may do.
type Token struct {
	Name      string
	All       bool
	Locations map[string]bool
	// Rate (events/s) and Burst of the token's bucket.
	Rate  float64
	Burst int
	// BytesRate (bytes/s) and BytesBurst of the token's body-bytes bucket.
	BytesRate  float64
	BytesBurst int64
}

// Allows reports whether the token may write events of the location.
func (t *Token) Allows(location string) bool { return t.All || t.Locations[location] }

// Set is the configured tokens, by hash.
type Set struct {
	byHash map[[32]byte]*Token
}

// New builds the set from the config; dev adds DevToken for all locations.
func New(cfg []config.IngestToken, dev bool, limit config.RateLimit) *Set {
	s := &Set{byHash: map[[32]byte]*Token{}}
	for _, c := range cfg {
		raw, err := hex.DecodeString(strings.TrimPrefix(c.Hash, "sha256:"))
		if err != nil || len(raw) != 32 {
			continue // config validation refused it already
		}
		t := &Token{Name: c.Name, All: c.All, Locations: map[string]bool{}, Rate: limit.EventsPerSecond, Burst: limit.Burst,
			BytesRate: float64(limit.BytesPerSecond), BytesBurst: limit.BytesBurst}
		for _, l := range c.Locations {
			t.Locations[l] = true
		}
		if c.EventsPerSecond > 0 {
			t.Rate = c.EventsPerSecond
		}
		if c.Burst > 0 {
			t.Burst = c.Burst
		}
		s.byHash[[32]byte(raw)] = t
	}
	if dev {
		s.byHash[sha256.Sum256([]byte(DevToken))] = &Token{Name: DevTokenName, All: true, Rate: limit.EventsPerSecond, Burst: limit.Burst,
			BytesRate: float64(limit.BytesPerSecond), BytesBurst: limit.BytesBurst}
	}
	return s
}

// Len is the number of tokens.
func (s *Set) Len() int { return len(s.byHash) }

// Errors of Authenticate; both answer 401.
var (
	ErrMissing = errors.New(`missing "Authorization: Bearer <token>" header`)
	ErrInvalid = errors.New("unknown or revoked token")
)

// Authenticate finds the token of the request's "Authorization: Bearer" header. Looking the SHA-256 up in a
// map leaks nothing useful through timing: an attacker cannot steer the hash of a guess towards a stored one.
func (s *Set) Authenticate(r *http.Request) (*Token, error) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return nil, ErrMissing
	}
	t, ok := s.byHash[sha256.Sum256([]byte(strings.TrimSpace(tok)))]
	if !ok {
		return nil, ErrInvalid
	}
	return t, nil
}

// Hash is the config form of a token: "sha256:" and the hex SHA-256.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Generate returns a new random token: "cxm_" and 32 random bytes, base64url.
func Generate() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "cxm_" + base64.RawURLEncoding.EncodeToString(b[:]), nil
}
