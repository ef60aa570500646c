package evidence

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/objstore"
)

func TestVoiceKeys(t *testing.T) {
	k := NewVoiceKey("shop-1", time.Date(2026, 12, 7, 23, 0, 0, 0, time.FixedZone("MSK", 3*3600)))
	if !strings.HasPrefix(k, "messages/shop-1/2026/12/07/") || !IsVoice(k) {
		t.Errorf("key %q", k)
	}
	for _, tc := range []struct {
		key, loc string
		voice    bool
	}{
		{k, "shop-1", true},
		{"audits/shop-1/2026/12/07/x", "shop-1", false},
		{"messages/", "", false},
		{"messages//x", "", false},
		{"messagesx/shop-1/x", "", false},
	} {
		loc, _ := LocationOf(tc.key)
		if loc != tc.loc || IsVoice(tc.key) != tc.voice {
			t.Errorf("%q: location %q voice %v, want %q %v", tc.key, loc, IsVoice(tc.key), tc.loc, tc.voice)
		}
	}
}

// TestVoiceRetention: recordings older than the retention are deleted; a newer recording and old audit
// evidence (its own retention) stay.
func TestVoiceRetention(t *testing.T) {
	dir := t.TempDir()
	s, err := objstore.NewLocal(dir, objstore.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	old, fresh, audit := NewVoiceKey("a", time.Now()), NewVoiceKey("a", time.Now()), NewKey("a", time.Now())
	past := time.Now().Add(-48 * time.Hour)
	for _, k := range []string{old, fresh, audit} {
		if _, err := s.Put(ctx, k, bytes.NewReader([]byte("OggS\x00\x02"))); err != nil {
			t.Fatal(err)
		}
		if k != fresh {
			if err := os.Chtimes(filepath.Join(dir, filepath.FromSlash(k)), past, past); err != nil {
				t.Fatal(err)
			}
		}
	}
	done := make(chan struct{})
	go func() {
		RunVoiceRetention(ctx, s, 24*time.Hour, 10*time.Millisecond, slog.New(slog.DiscardHandler))
		close(done)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, _, err := s.Get(ctx, old); errors.Is(err, objstore.ErrNotFound) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("old recording not deleted")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	for _, k := range []string{fresh, audit} {
		rc, _, err := s.Get(context.Background(), k)
		if err != nil {
			t.Fatalf("%s deleted: %v", k, err)
		}
		rc.Close()
	}
}
