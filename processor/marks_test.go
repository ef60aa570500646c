package processor

import (
	"strings"
	"testing"

	"github.com/cxm-project/cxm/processor/buckets"
)

func TestCheckMarks(t *testing.T) {
	for _, tc := range []struct {
		name    string
		marks   map[int32]buckets.Mark
		ends    map[int]int64
		wantErr string
	}{
		{"caught up", map[int32]buckets.Mark{0: {Partition: 0, LastOffset: 9}}, map[int]int64{0: 10}, ""},
		{"behind the end", map[int32]buckets.Mark{0: {Partition: 0, LastOffset: 3}}, map[int]int64{0: 10}, ""},
		{"topic recreated", map[int32]buckets.Mark{0: {Partition: 0, LastOffset: 9}, 1: {Partition: 1, LastOffset: 500}}, map[int]int64{0: 10, 1: 20}, "partition 1 of t: ClickHouse holds this partition's events up to offset 500 but the topic ends at 20"},
		{"empty topic after recreation", map[int32]buckets.Mark{2: {Partition: 2, LastOffset: 0}}, map[int]int64{2: 0}, "partition 2 of t"},
		{"end unknown", map[int32]buckets.Mark{3: {Partition: 3, LastOffset: 0}}, map[int]int64{}, "partition 3 of t: no end offset"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkMarks(tc.marks, tc.ends, "t")
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}
