package processor_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/ingest/ingesttest"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/testutil"
)

// samePartition returns two locations the events topic's partitioner puts in one partition, so that an id
// of one could (before ids were scoped) suppress the other's event.
func samePartition(t *testing.T, partitions int) (a, b string) {
	t.Helper()
	var bal kafkago.Murmur2Balancer
	parts := make([]int, partitions)
	for i := range parts {
		parts[i] = i
	}
	first := map[int]string{}
	for i := range 100 {
		loc := fmt.Sprintf("shop:s-%02d", i)
		p := bal.Balance(kafkago.Message{Key: []byte(loc)}, parts...)
		if other, ok := first[p]; ok {
			return other, loc
		}
		first[p] = loc
	}
	t.Fatal("no two locations share a partition")
	return "", ""
}

// TestExactlyOnceAcrossLateness: an event sent again at any time within processor.allowed_lateness counts
// once, although the id memory covers one dedupe_horizon (24 h) of receive time: receipts and surveys with
// event times of day 0 are received on day 0, again on day 2 and on day 6 (Kafka record times, the
// processor's receive clock), and once more on day 9, when they are too late (dead-lettered, counted
// once still). Before, the re-sends of day 2 and 6 doubled and tripled revenue. The same run checks that
// ids are scoped to their location: an event of location a carrying b's id, sent before b's own event,
// does not make b's a duplicate (before, it did). Run with one processor throughout, and with processors
// restarted between the re-sends (the state is then rebuilt from ClickHouse: the decision must not change).
func TestExactlyOnceAcrossLateness(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	day0 := now.Add(-10 * 24 * time.Hour)
	at := func(d int) time.Time { return day0.Add(time.Duration(d) * 24 * time.Hour) }
	locs := []string{"shop:x-01", "shop:x-02", "shop:x-03", "shop:x-04"}
	var originals []msg
	for i := range 120 {
		loc := locs[i%len(locs)]
		t0 := day0.Add(-time.Hour + time.Duration(i)*17*time.Second)
		e := event.Event{ID: fmt.Sprintf("pos:%s:R-%d", loc, i), Type: event.TypePOS, Location: loc, Device: "till-1", Time: t0,
			Receipt: fmt.Sprintf("R-%d", i), Amount: event.Amount(1000 + 37*i), Items: 1 + i%4, Currency: "EUR", Refund: i%9 == 0}
		if i%5 == 0 {
			nps := i % 11
			e = event.Event{ID: fmt.Sprintf("survey:%s:%d", loc, i), Type: event.TypeSurvey, Location: loc, Time: t0,
				Survey: "after-visit", Answers: &event.Answers{NPS: &nps}}
		}
		originals = append(originals, msg{e: e})
	}
	// Traffic of each day moves the partitions' clocks and watermarks.
	filler := func(d int) []msg {
		var out []msg
		for i, loc := range locs {
			out = append(out, msg{e: event.Event{ID: fmt.Sprintf("count:%d:%d", d, i), Type: event.TypeCounter, Location: loc, Device: "door-1",
				Time: at(d), In: int64(3 + d), Out: int64(2 + d)}})
		}
		return out
	}
	for _, restart := range []bool{false, true} {
		t.Run(fmt.Sprintf("restarted=%v", restart), func(t *testing.T) {
			kc := testutil.Kafka(t)
			conn, ch := testutil.ClickHouse(t)
			cfg := testConfig(t, kc, ch, "lookup")
			a, b := samePartition(t, cfg.Kafka.Partitions)
			// a's event carrying b's id, first; then b's own.
			impostor := msg{e: event.Event{ID: "pos:" + b + ":R-1", Type: event.TypePOS, Location: a, Device: "till-1", Time: day0,
				Receipt: "R-1", Amount: 500, Items: 1, Currency: "EUR"}}
			real := impostor
			real.e.Location, real.e.Amount = b, 700
			var all []msg
			stop := func() {}
			round := func(d int, msgs ...[]msg) {
				var batch []msg
				for _, m := range msgs {
					batch = append(batch, m...)
				}
				produceAt(t, kc, at(d), batch...)
				all = append(all, batch...)
				if restart {
					stop = startProcessor(t, cfg)
					waitCaughtUp(t, conn, ch.Database, endOffsets(t, kc), time.Minute)
					stop()
				}
			}
			if !restart {
				stop = startProcessor(t, cfg)
			}
			round(0, []msg{impostor, real}, originals, filler(0))
			round(2, filler(2), originals)
			round(6, filler(6), originals, []msg{real})
			// Day 9: the watermark is 9 days on, the originals' time more than allowed_lateness behind it.
			produceAt(t, kc, at(9), filler(9)...)
			all = append(all, filler(9)...)
			produceAt(t, kc, at(9), originals...)
			if restart {
				stop = startProcessor(t, cfg)
			}
			waitCaughtUp(t, conn, ch.Database, endOffsets(t, kc), time.Minute)
			stop()
			check(t, conn, ch.Database, expect(all))

			late := 0
			for _, m := range ingesttest.ReadAll(t, kc, kc.Topics.DeadLetter) {
				if bytes.Contains(m.Value, []byte(`"id":"pos:`)) || bytes.Contains(m.Value, []byte(`"id":"survey:`)) {
					late++
				}
			}
			if late != len(originals) {
				t.Errorf("%d of the day-9 re-sends dead-lettered, want all %d (too late to count)", late, len(originals))
			}
		})
	}
}
