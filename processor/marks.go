package processor

import (
	"fmt"
	"sort"

	"github.com/cxm-project/cxm/processor/buckets"
)

// checkMarks refuses to resume a partition whose ClickHouse mark lies beyond the topic's end. That happens
// when the topic was deleted and created again (or the broker lost its data) while the database kept its
// figures: resuming at mark + 1 would silently skip every new event up to the old offsets. Stopping with
// the reason is the only safe answer; the operator chooses a fresh database or restores the topic.
func checkMarks(marks map[int32]buckets.Mark, ends map[int]int64, topic string) error {
	ids := make([]int, 0, len(marks))
	for id := range marks {
		ids = append(ids, int(id))
	}
	sort.Ints(ids)
	for _, id := range ids {
		m := marks[int32(id)]
		end, ok := ends[id]
		if !ok {
			return fmt.Errorf("partition %d of %s: no end offset", id, topic)
		}
		if m.LastOffset+1 > end {
			return fmt.Errorf("partition %d of %s: ClickHouse holds this partition's events up to offset %d but the topic ends at %d: "+
				"the topic was recreated or lost data since; processing it would skip new events. "+
				"Point clickhouse.database at a fresh database, or restore the topic", id, topic, m.LastOffset, end)
		}
	}
	return nil
}
