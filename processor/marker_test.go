package processor_test

import (
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/testutil"
)

// TestTailOfDuplicatesReachesTheEnd: when the last messages of a partition count nothing (here: copies of
// events already counted), the mark still reaches the partition's end, so the lag goes to zero and a
// restart does not read them again; the figures stay those of the originals.
func TestTailOfDuplicatesReachesTheEnd(t *testing.T) {
	kc := testutil.Kafka(t)
	conn, ch := testutil.ClickHouse(t)
	set := generate(400, 5, time.Now().UTC().Add(-3*time.Hour).Truncate(time.Second))
	produce(t, kc, set)
	stop := startProcessor(t, testConfig(t, kc, ch, "tail"))
	waitCaughtUp(t, conn, ch.Database, endOffsets(t, kc), 2*time.Minute)
	stop()

	// Copies only, so every batch the second run makes counts nothing.
	var copies []msg
	for _, m := range set {
		if !m.late {
			copies = append(copies, m)
		}
	}
	produce(t, kc, copies)
	stop = startProcessor(t, testConfig(t, kc, ch, "tail"))
	waitCaughtUp(t, conn, ch.Database, endOffsets(t, kc), 2*time.Minute)
	stop()
	check(t, conn, ch.Database, expect(append(set, copies...)))
}
