package evidence

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/objstore"
)

func TestKeys(t *testing.T) {
	k := NewKey("store-001", time.Date(2026, 12, 7, 23, 30, 0, 0, time.FixedZone("MSK", 3*3600)))
	if err := objstore.ValidKey(k); err != nil {
		t.Fatal(err)
	}
	if loc, ok := LocationOf(k); !ok || loc != "store-001" || k[:len("audits/store-001/2026/12/07/")] != "audits/store-001/2026/12/07/" {
		t.Fatalf("key %s: location %q %v (the date is UTC)", k, loc, ok)
	}
	now := time.Now()
	if a, b := NewKey("a", now), NewKey("a", now); a == b {
		t.Fatalf("two uploads at the same instant got one key %s", a)
	}
	for key, want := range map[string]string{"audits/msk-1/x": "msk-1", "audits//x": "", "voice/msk-1/x": "", "audits/msk-1": ""} {
		if loc, ok := LocationOf(key); loc != want || ok != (want != "") {
			t.Errorf("LocationOf(%q) = %q, %v; want %q", key, loc, ok, want)
		}
	}
}

// TestRetention: evidence older than the retention is deleted by the loop, newer evidence stays.
func TestRetention(t *testing.T) {
	dir := t.TempDir()
	s, err := objstore.NewLocal(dir, objstore.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	old, fresh := NewKey("a", time.Now()), NewKey("a", time.Now())
	for _, k := range []string{old, fresh} {
		if _, err := s.Put(ctx, k, bytes.NewReader([]byte{0xFF, 0xD8, 0xFF, 0xE0})); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-48 * time.Hour)
	if err := os.Chtimes(filepath.Join(dir, filepath.FromSlash(old)), past, past); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		RunRetention(ctx, s, 24*time.Hour, 10*time.Millisecond, slog.New(slog.DiscardHandler))
		close(done)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, _, err := s.Get(ctx, old)
		if errors.Is(err, objstore.ErrNotFound) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("old evidence not deleted")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if rc, _, err := s.Get(ctx, fresh); err != nil {
		t.Fatalf("fresh evidence deleted: %v", err)
	} else {
		rc.Close()
	}
	cancel()
	<-done
}
