package api

import (
	"net/http"

	"github.com/cxm-project/cxm/internal/auth"
	"github.com/cxm-project/cxm/internal/config"
)

// tokens verifies read tokens with the ingest's token package (same "sha256:<hex>" config form, same
// Bearer parsing), over a set of its own: a write token is not in it, so it cannot read, and the other way
// round.
type tokens struct {
	set *auth.Set
}

// scope is what one token may read.
type scope struct {
	name string
	tok  *auth.Token
}

// allows reports whether the token may read the location.
func (s *scope) allows(id string) bool { return s.tok.Allows(id) }

func newTokens(cfg []config.APIToken) *tokens {
	in := make([]config.IngestToken, len(cfg))
	for i, c := range cfg {
		in[i] = config.IngestToken{Name: c.Name, Hash: c.Hash, Locations: c.Locations, All: c.All}
	}
	// No development token and no rate limit: those are the ingest's.
	return &tokens{set: auth.New(in, false, config.RateLimit{})}
}

// authenticate finds the read token of "Authorization: Bearer <token>".
func (t *tokens) authenticate(r *http.Request) (*scope, error) {
	tok, err := t.set.Authenticate(r)
	if err != nil {
		return nil, err
	}
	return &scope{name: tok.Name, tok: tok}, nil
}

// HashToken is the config form of a token (auth.Hash).
func HashToken(token string) string { return auth.Hash(token) }
