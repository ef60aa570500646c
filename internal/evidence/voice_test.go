package evidence

import (
	"strings"
	"testing"
	"time"
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
