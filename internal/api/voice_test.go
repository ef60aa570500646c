package api

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/evidence"
	"github.com/cxm-project/cxm/internal/objstore"
)

// TestVoiceDownloadScope: a customer's recording (a message's voice, key messages/<location>/...) comes
// back through GET /v1/evidence only to tokens that may read its location; a manager of another location
// gets 403 before the store is asked.
func TestVoiceDownloadScope(t *testing.T) {
	f, conn, db := setup(t, nil)
	ctx := context.Background()
	store, err := objstore.NewLocal(t.TempDir(), objstore.Policy{MaxBytes: 1 << 20, Types: []string{"audio/*", "application/ogg", "video/webm"}})
	if err != nil {
		t.Fatal(err)
	}
	ogg := append([]byte("OggS\x00\x02"), bytes.Repeat([]byte{5}, 900)...)
	now := time.Now()
	keys := map[string]string{}
	for _, loc := range []string{"msk-1", "msk-2"} {
		keys[loc] = evidence.NewVoiceKey(loc, now)
		if _, err := store.Put(ctx, keys[loc], bytes.NewReader(ogg)); err != nil {
			t.Fatal(err)
		}
	}
	s := New(&config.Config{ClickHouse: config.ClickHouse{Database: db}, Locations: apiLocations, API: config.API{
		QueryTimeout: 20 * time.Second, MaxRows: 1 << 40, MaxRange: 40 * 24 * time.Hour, MaxExportRows: 1000,
		Tokens: []config.APIToken{{Name: "all", Hash: HashToken(tokAll), All: true}, {Name: "msk1", Hash: HashToken(tokCentral), Locations: []string{"msk-1"}}},
	}}, conn, nil, nil).WithEvidence(store)
	mux := http.NewServeMux()
	s.Routes(mux)
	f.mux = mux
	for _, tc := range []struct {
		name, token, key string
		want             int
	}{
		{"own location's manager", tokCentral, keys["msk-1"], http.StatusOK},
		{"another location's manager", tokCentral, keys["msk-2"], http.StatusForbidden},
		{"all locations", tokAll, keys["msk-2"], http.StatusOK},
		{"no token", "", keys["msk-1"], http.StatusUnauthorized},
		{"never stored", tokAll, evidence.NewVoiceKey("msk-1", now), http.StatusNotFound},
		{"outside the scheme", tokAll, "messagesx/msk-1/a", http.StatusNotFound},
	} {
		rec := f.get(tc.token, "/v1/evidence?key="+url.QueryEscape(tc.key))
		if rec.Code != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, rec.Code, tc.want)
		}
		if tc.want == http.StatusOK && (!bytes.Equal(rec.Body.Bytes(), ogg) || rec.Header().Get("Content-Type") != "application/ogg") {
			t.Errorf("%s: %d bytes of %q", tc.name, rec.Body.Len(), rec.Header().Get("Content-Type"))
		}
	}
}
