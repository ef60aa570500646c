package writer

import (
	"testing"

	"github.com/cxm-project/cxm/internal/clickhouse"
)

func TestSplitChunks(t *testing.T) {
	chunk := func(n int) []clickhouse.EventRow { return make([]clickhouse.EventRow, n) }
	for _, tc := range []struct {
		name    string
		chunks  []int
		streams int
		want    [][]int // chunk sizes per group
	}{
		{"one stream", []int{64, 128, 256}, 1, [][]int{{64, 128, 256}}},
		{"one chunk", []int{500}, 4, [][]int{{500}}},
		{"two even", []int{100, 100, 100, 100}, 2, [][]int{{100, 100}, {100, 100}}},
		{"big first", []int{8192, 64, 128}, 2, [][]int{{8192}, {64, 128}}},
		{"more streams than chunks", []int{10, 10}, 3, [][]int{{10}, {10}}},
		{"never more groups than streams", []int{1, 1, 1, 1, 1, 1, 1}, 3, [][]int{{1, 1, 1}, {1, 1, 1}, {1}}},
		{"empty", nil, 2, [][]int{nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var chunks [][]clickhouse.EventRow
			total := 0
			for _, n := range tc.chunks {
				chunks = append(chunks, chunk(n))
				total += n
			}
			got := splitChunks(chunks, total, tc.streams)
			if len(got) != len(tc.want) {
				t.Fatalf("%d groups, want %d", len(got), len(tc.want))
			}
			rows := 0
			for i, g := range got {
				if len(g) != len(tc.want[i]) {
					t.Fatalf("group %d has %d chunks, want %d", i, len(g), len(tc.want[i]))
				}
				for j, c := range g {
					if len(c) != tc.want[i][j] {
						t.Errorf("group %d chunk %d has %d rows, want %d", i, j, len(c), tc.want[i][j])
					}
					rows += len(c)
				}
			}
			if rows != total {
				t.Errorf("%d rows in the groups, want all %d", rows, total)
			}
		})
	}
}
