package simulate

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// A backfill re-run must send the very same event ids, so the pipeline's dedupe keeps history unchanged;
// and a 503 must be retried with the same body until the ingest takes it.
func TestBackfillIsRepeatableAndRetried(t *testing.T) {
	var mu sync.Mutex
	var ids []string
	fails := 1
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer tok" || r.Header.Get("Content-Type") != "application/x-ndjson" {
			http.Error(w, "bad request headers", http.StatusBadRequest)
			return
		}
		body, _ := io.ReadAll(r.Body)
		if fails > 0 {
			fails--
			w.Header().Set("Retry-After", "0")
			http.Error(w, "kafka down", http.StatusServiceUnavailable)
			return
		}
		n := 0
		sc := bufio.NewScanner(bytes.NewReader(body))
		for sc.Scan() {
			var e struct{ ID string }
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				t.Errorf("not NDJSON: %v", err)
			}
			ids = append(ids, e.ID)
			n++
		}
		_ = json.NewEncoder(w).Encode(Outcome{Accepted: n})
	}))
	defer srv.Close()
	s := &Sender{URL: srv.URL, Token: "tok", Client: srv.Client(), Log: slog.New(slog.DiscardHandler)}
	profiles := NewProfiles(DemoLocations(3), 1)
	to := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	run := func() []string {
		mu.Lock()
		ids = nil
		mu.Unlock()
		out, err := Backfill(context.Background(), profiles, s, to.Add(-2*time.Hour), to, 500)
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if out.Accepted != len(ids) || len(ids) == 0 {
			t.Fatalf("accepted %d, server saw %d events", out.Accepted, len(ids))
		}
		return append([]string(nil), ids...)
	}
	first, second := run(), run()
	if len(first) != len(second) {
		t.Fatalf("re-run sent %d events, first run %d", len(second), len(first))
	}
	for i := range first {
		if first[i] != second[i] {
			t.Fatalf("event %d: id %s on the re-run, %s the first time", i, second[i], first[i])
		}
	}
}
