package auth

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cxm-project/cxm/internal/config"
)

func TestAuthenticate(t *testing.T) {
	shop, all := "cxm_shop_token", "cxm_all_token"
	s := New([]config.IngestToken{
		{Name: "shop", Hash: Hash(shop), Locations: []string{"shop-1"}, EventsPerSecond: 5, Burst: 7},
		{Name: "all", Hash: Hash(all), All: true},
		{Name: "broken", Hash: "sha256:zz"}, // refused by config validation; must not be usable either
	}, false, config.RateLimit{EventsPerSecond: 100, Burst: 1000, BytesPerSecond: 2048, BytesBurst: 4096})
	tests := []struct {
		name, header string
		want         string // token name, or the error
	}{
		{"shop token", "Bearer " + shop, "shop"},
		{"scheme is case-insensitive", "bearer " + all, "all"},
		{"spaces around the token", "Bearer   " + all + "  ", "all"},
		{"no header", "", ErrMissing.Error()},
		{"basic auth", "Basic dXNlcjpwYXNz", ErrMissing.Error()},
		{"bearer without token", "Bearer ", ErrMissing.Error()},
		{"unknown token", "Bearer cxm_nope", ErrInvalid.Error()},
		{"the hash instead of the token", "Bearer " + Hash(shop), ErrInvalid.Error()},
		{"development token when off", "Bearer " + DevToken, ErrInvalid.Error()},
		{"a prefix of a token", "Bearer " + shop[:len(shop)-1], ErrInvalid.Error()},
	}
	for _, tt := range tests {
		r, _ := http.NewRequest("GET", "/", nil)
		if tt.header != "" {
			r.Header.Set("Authorization", tt.header)
		}
		tok, err := s.Authenticate(r)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = tok.Name
		}
		if got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
	if s.Len() != 2 {
		t.Errorf("Len %d, want 2 (the malformed hash is skipped)", s.Len())
	}
	r, _ := http.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Bearer "+shop)
	tok, _ := s.Authenticate(r)
	if !tok.Allows("shop-1") || tok.Allows("shop-2") || tok.Rate != 5 || tok.Burst != 7 || tok.BytesRate != 2048 || tok.BytesBurst != 4096 {
		t.Errorf("shop token: %+v", tok)
	}
	r.Header.Set("Authorization", "Bearer "+all)
	if tok, _ := s.Authenticate(r); !tok.Allows("anywhere") || tok.Rate != 100 || tok.Burst != 1000 {
		t.Errorf("all token: %+v", tok)
	}
}

func TestDevToken(t *testing.T) {
	s := New(nil, true, config.RateLimit{EventsPerSecond: 1, Burst: 1})
	r, _ := http.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Bearer "+DevToken)
	tok, err := s.Authenticate(r)
	if err != nil || tok.Name != DevTokenName || !tok.Allows("any") {
		t.Fatalf("dev token: %+v %v", tok, err)
	}
	if !config.IsDevTokenHash(Hash(DevToken)) || config.IsDevTokenHash(Hash("other")) {
		t.Error("config's copy of the development token's hash differs from auth's")
	}
}

func TestGenerateAndHash(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		tok, err := Generate()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(tok, "cxm_") || len(tok) != 4+43 || seen[tok] {
			t.Fatalf("token %q: want cxm_ and 43 base64url characters, never twice", tok)
		}
		seen[tok] = true
		h := Hash(tok)
		if !strings.HasPrefix(h, "sha256:") || len(h) != 7+64 || h != strings.ToLower(h) {
			t.Fatalf("hash %q", h)
		}
	}
	if Hash("abc") != "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Error("Hash is not the SHA-256 of the token (FIPS 180-2 test vector)")
	}
}
