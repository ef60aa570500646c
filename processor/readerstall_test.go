package processor_test

import (
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/cxm-project/cxm/internal/testutil"
)

// TestReaderStallReopened: a partition reader that gets nothing while its partition holds messages (the
// broker answers its fetches of partition 3 from where the first half ended with no records and a high
// watermark there, as a reader that stopped delivering would see) is reopened after
// processor.reader_stall_timeout, and the figures end exact.
func TestReaderStallReopened(t *testing.T) {
	kc, broker := testutil.KafkaBroker(t)
	conn, ch := testutil.ClickHouse(t)
	msgs := generate(20000, 14, base)
	x := expect(msgs)
	n := len(msgs)
	produce(t, kc, msgs[:n/2])
	half := endOffsets(t, kc)
	const victim = 3
	var (
		stalling atomic.Bool
		empty    atomic.Int64
	)
	// Fetches of the victim from where the first half ends get no records, whatever the partition holds.
	broker.ControlKey(kmsg.Fetch, func(r kmsg.Request) (kmsg.Response, error, bool) {
		req := r.(*kmsg.FetchRequest)
		if !stalling.Load() || len(req.Topics) != 1 || len(req.Topics[0].Partitions) != 1 {
			return nil, nil, false
		}
		rp := req.Topics[0].Partitions[0]
		if rp.Partition != victim || rp.FetchOffset < half[victim] {
			return nil, nil, false
		}
		empty.Add(1)
		resp := req.ResponseKind().(*kmsg.FetchResponse)
		resp.Version = req.Version
		st := kmsg.NewFetchResponseTopic()
		st.Topic, st.TopicID = req.Topics[0].Topic, req.Topics[0].TopicID
		sp := kmsg.NewFetchResponseTopicPartition()
		sp.Partition, sp.HighWatermark, sp.LastStableOffset = victim, rp.FetchOffset, rp.FetchOffset
		sp.RecordBatches = []byte{} // no records (nil would encode a null message set)
		st.Partitions = append(st.Partitions, sp)
		resp.Topics = append(resp.Topics, st)
		return resp, nil, true
	})
	cfg := testConfig(t, kc, ch, "reader-stall")
	cfg.Processor.ReaderStallTimeout = 2 * time.Second
	stop := startProcessor(t, cfg)
	instance := strconv.FormatInt(testInstances.Load(), 10)
	waitCaughtUp(t, conn, ch.Database, half, 5*time.Minute)
	stalling.Store(true)
	produce(t, kc, msgs[n/2:])
	ends := endOffsets(t, kc)
	if ends[victim] <= half[victim] {
		t.Fatalf("partition %d got nothing in the second half", victim)
	}
	for deadline := time.Now().Add(time.Minute); counterOf(t, "cxm_processor_reader_restarts_total", instance) < 1; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the reader of partition %d was not reopened within a minute (%d empty fetches answered)", victim, empty.Load())
		}
	}
	stalling.Store(false)
	waitCaughtUp(t, conn, ch.Database, ends, 5*time.Minute)
	stop()
	check(t, conn, ch.Database, x)
	if empty.Load() == 0 {
		t.Error("no fetch of the partition was answered empty")
	}
}

// TestSlowFetchAnswers: a broker that takes 300 ms to answer every fetch (a busy machine, megabytes
// waiting in a partition) is slower than the quarter of max_wait kafka-go would leave the answer (25 ms
// at the tests' 100 ms): a reader given only max_wait times every fetch out and asks again for the same
// answer, for good. Readers get max_wait plus config.FetchAnswerAllowance, and the figures end exact.
func TestSlowFetchAnswers(t *testing.T) {
	kc, broker := testutil.KafkaBroker(t)
	conn, ch := testutil.ClickHouse(t)
	msgs := generate(20000, 15, base)
	x := expect(msgs)
	produce(t, kc, msgs)
	var slowed atomic.Int64
	broker.ControlKey(kmsg.Fetch, func(kmsg.Request) (kmsg.Response, error, bool) {
		slowed.Add(1)
		broker.SleepControl(func() { time.Sleep(300 * time.Millisecond) })
		return nil, nil, false
	})
	cfg := testConfig(t, kc, ch, "slow-fetch")
	stop := startProcessor(t, cfg)
	waitCaughtUp(t, conn, ch.Database, endOffsets(t, kc), 3*time.Minute)
	stop()
	check(t, conn, ch.Database, x)
	if slowed.Load() == 0 {
		t.Error("no fetch was slowed")
	}
}
