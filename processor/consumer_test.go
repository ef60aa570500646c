package processor

import "testing"

func TestBehind(t *testing.T) {
	for _, tc := range []struct {
		name             string
		next, first, end int64
		want             bool
	}{
		{"at the end", 100, 0, 100, false},
		{"messages beyond", 100, 0, 150, true},
		{"from the first offset, empty partition", -2, 0, 0, false},
		{"from the first offset, retention emptied it", -2, 70, 70, false},
		{"from the first offset, messages", -2, 0, 10, true},
		{"retention passed the next offset, nothing left", 50, 80, 80, false},
		{"retention passed the next offset, messages left", 50, 80, 90, true},
	} {
		if got := behind(tc.next, tc.first, tc.end); got != tc.want {
			t.Errorf("%s: behind(%d, %d, %d) = %v, want %v", tc.name, tc.next, tc.first, tc.end, got, tc.want)
		}
	}
}
