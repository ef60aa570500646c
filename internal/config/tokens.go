package config

import "fmt"

// tokenEntry is what an ingest write token and an API read token have in common.
type tokenEntry struct {
	name, hash string
	locations  []string
	all        bool
}

func (t IngestToken) entry() tokenEntry { return tokenEntry{t.Name, t.Hash, t.Locations, t.All} }
func (t APIToken) entry() tokenEntry    { return tokenEntry{t.Name, t.Hash, t.Locations, t.All} }

// validateTokens checks the entries of one token list (section is "ingest.tokens" or "api.tokens", verb
// "write" or "read"): a name, a hash rather than a token, no token twice, and a scope that is either a
// list of registered locations or all of them.
func validateTokens(c *Config, es *Errors, section, verb string, tokens []tokenEntry) {
	seen := map[string]bool{}
	for i, t := range tokens {
		key := fmt.Sprintf("%s[%d]", section, i)
		if t.name == "" {
			es.add(key+".name", "must not be empty (it names the token in logs and errors)")
		}
		if !validTokenHash(t.hash) {
			es.add(key+".hash", "must be sha256: and 64 hex digits (the hash `cxm token new` prints), not the token itself")
		}
		if IsDevTokenHash(t.hash) {
			es.add(key+".hash", "is the hash of the public development token cxm-dev-token; mint a real one with `cxm token new`")
		}
		if seen[t.hash] {
			es.add(key+".hash", "the same token is listed twice")
		}
		seen[t.hash] = true
		if t.all == (len(t.locations) > 0) {
			es.add(key+".locations", "list the locations the token may %s, or set all: true (not both)", verb)
		}
		for j, l := range t.locations {
			if c.Location(l) == nil {
				es.add(fmt.Sprintf("%s.locations[%d]", key, j), "unknown location %q (not in the locations registry)", l)
			}
		}
	}
}

// validTokenHash accepts "sha256:" followed by 64 lower-case hex digits.
func validTokenHash(h string) bool {
	const prefix = "sha256:"
	if len(h) != len(prefix)+64 || h[:len(prefix)] != prefix {
		return false
	}
	for _, c := range h[len(prefix):] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
