package processor_test

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/testutil"
)

// deleteRecords deletes every partition's records before before[p] (Kafka's DeleteRecords, what retention
// does), through the Kafka protocol: kafka-go has no client for it.
func deleteRecords(t *testing.T, kc config.Kafka, before map[int]int64) {
	t.Helper()
	req := kmsg.NewPtrDeleteRecordsRequest()
	req.Version, req.TimeoutMillis = 1, 10000
	topic := kmsg.NewDeleteRecordsRequestTopic()
	topic.Topic = kc.Topics.Events
	for p, off := range before {
		tp := kmsg.NewDeleteRecordsRequestTopicPartition()
		tp.Partition, tp.Offset = int32(p), off
		topic.Partitions = append(topic.Partitions, tp)
	}
	req.Topics = append(req.Topics, topic)
	conn, err := net.DialTimeout("tcp", kc.Brokers[0], 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(15 * time.Second))
	// Request header v1: api key, version, correlation id, client id; the whole framed by its length.
	body := binary.BigEndian.AppendUint16(nil, uint16(req.Key()))
	body = binary.BigEndian.AppendUint16(body, uint16(req.Version))
	body = binary.BigEndian.AppendUint32(body, 1)
	body = binary.BigEndian.AppendUint16(body, 4)
	body = append(body, "test"...)
	body = req.AppendTo(body)
	if _, err := conn.Write(append(binary.BigEndian.AppendUint32(nil, uint32(len(body))), body...)); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	var size [4]byte
	if _, err := io.ReadFull(r, size[:]); err != nil {
		t.Fatal(err)
	}
	resp := make([]byte, binary.BigEndian.Uint32(size[:]))
	if _, err := io.ReadFull(r, resp); err != nil {
		t.Fatal(err)
	}
	res := kmsg.NewPtrDeleteRecordsResponse()
	res.Version = 1
	if err := res.ReadFrom(resp[4:]); err != nil { // after the correlation id
		t.Fatal(err)
	}
	for _, tp := range res.Topics {
		for _, p := range tp.Partitions {
			if p.ErrorCode != 0 || p.LowWatermark != before[int(p.Partition)] {
				t.Fatalf("delete records of partition %d: error %d, low watermark %d, want %d", p.Partition, p.ErrorCode, p.LowWatermark, before[int(p.Partition)])
			}
		}
	}
}

func missingOffsets(t *testing.T) float64 {
	t.Helper()
	mfs, err := testMetrics.Gather() // every in-process instance's (startProcessor)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() == "cxm_processor_missing_offsets_total" {
			for _, m := range mf.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

// TestOffsetGap: events are processed, the processor stops, more events arrive and retention deletes them
// before they are processed, then more arrive. On restart every partition's reader finds its next offset
// gone (a gap at the start of the first batch): the processor must count and log the missing offsets and go
// on, and the figures must be exactly those of the events that still exist.
func TestOffsetGap(t *testing.T) {
	kc := testutil.Kafka(t)
	conn, ch := testutil.ClickHouse(t)
	msgs := generate(12000, 31, base)
	n := len(msgs)
	part1, part2, part3 := msgs[:n/3], msgs[n/3:2*n/3], msgs[2*n/3:]
	cfg := testConfig(t, kc, ch, "gaps")

	produce(t, kc, part1)
	stop := startProcessor(t, cfg)
	waitCaughtUp(t, conn, ch.Database, endOffsets(t, kc), time.Minute)
	stop()

	before := endOffsets(t, kc)
	produce(t, kc, part2)
	gone := endOffsets(t, kc)
	lost := int64(0)
	for p, end := range gone {
		lost += end - before[p]
	}
	deleteRecords(t, kc, gone) // all of part2, before anyone read it
	produce(t, kc, part3)

	missed := missingOffsets(t)
	stop = startProcessor(t, cfg)
	waitCaughtUp(t, conn, ch.Database, endOffsets(t, kc), time.Minute)
	stop()
	if got := missingOffsets(t) - missed; got != float64(lost) {
		t.Errorf("cxm_processor_missing_offsets_total grew by %v, want the %d deleted offsets", got, lost)
	}
	check(t, conn, ch.Database, expect(append(append([]msg{}, part1...), part3...)))
}
