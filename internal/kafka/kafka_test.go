package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/internal/kafka"
	"github.com/cxm-project/cxm/internal/testutil"
)

// The issue's done-criterion: 10,000 events through the Producer, read back in a consumer group exactly as
// sent: every message, once, in order per key, each key in the partition murmur2 assigns it.
func TestProduceConsume10k(t *testing.T) {
	cfg := testutil.Kafka(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	sent := events(t, 10_000, 37)
	p := kafka.NewProducer(cfg, cfg.Topics.Events, nil, nil)
	produceAll(t, ctx, p, sent, 1000)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}

	r, err := kafka.NewReader(cfg, "test-10k", cfg.Topics.Events)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := newReceived()
	readN(t, ctx, r, len(sent), got)
	got.check(t, sent)

	balancer := kafkago.Murmur2Balancer{}
	parts := make([]int, cfg.Partitions)
	for i := range parts {
		parts[i] = i
	}
	used := map[int]bool{}
	for key, p := range got.partition {
		if want := balancer.Balance(kafkago.Message{Key: []byte(key)}, parts...); p != want {
			t.Errorf("key %s in partition %d, murmur2 says %d", key, p, want)
		}
		used[p] = true
	}
	if len(used) < 2 {
		t.Errorf("37 keys all landed in %d partition(s): keys are not spread", len(used))
	}

	// Nothing more: a second read finds no message beyond the 10,000.
	short, cancelShort := context.WithTimeout(ctx, 2*time.Second)
	defer cancelShort()
	if m, err := r.FetchMessage(short); err == nil {
		t.Errorf("read an 10,001st message: %s", m.Value)
	}
}

// A group resumes at its committed offsets: a reader that stops half way and a new member of the same
// group together read every message once.
func TestReaderResumesFromCommit(t *testing.T) {
	cfg := testutil.Kafka(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sent := events(t, 2000, 5)
	p := kafka.NewProducer(cfg, cfg.Topics.Events, nil, nil)
	defer p.Close()
	produceAll(t, ctx, p, sent, 500)

	got := newReceived()
	r1, err := kafka.NewReader(cfg, "resume", cfg.Topics.Events)
	if err != nil {
		t.Fatal(err)
	}
	readN(t, ctx, r1, 700, got)
	if err := r1.Close(); err != nil { // flushes the background commits
		t.Fatal(err)
	}
	r2, err := kafka.NewReader(cfg, "resume", cfg.Topics.Events)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	readN(t, ctx, r2, len(sent)-700, got)
	got.check(t, sent)
}

// NewConsumerGroup: a generation assigns every partition, reading each from its committed offset, and
// committing through the generation moves that offset.
func TestConsumerGroup(t *testing.T) {
	cfg := testutil.Kafka(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sent := events(t, 1200, 11)
	p := kafka.NewProducer(cfg, cfg.Topics.Events, nil, nil)
	defer p.Close()
	produceAll(t, ctx, p, sent, 400)

	g, err := kafka.NewConsumerGroup(cfg, "cg", cfg.Topics.Events)
	if err != nil {
		t.Fatal(err)
	}
	gen, err := g.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	assigned := gen.Assignments[cfg.Topics.Events]
	if len(assigned) != cfg.Partitions {
		t.Fatalf("the only member got %d partitions, want %d", len(assigned), cfg.Partitions)
	}
	var mu sync.Mutex
	got := newReceived()
	var wg sync.WaitGroup
	for _, pa := range assigned {
		if pa.Offset != kafkago.FirstOffset {
			t.Errorf("partition %d starts at %d, want FirstOffset (nothing committed yet)", pa.ID, pa.Offset)
		}
		wg.Add(1)
		// kafka-go ends the generation as soon as any function started in it returns, so each one stays
		// until the generation ends and signals "done reading" separately.
		gen.Start(func(gctx context.Context) {
			defer func() { <-gctx.Done() }()
			defer wg.Done()
			r := kafkago.NewReader(kafkago.ReaderConfig{Brokers: cfg.Brokers, Topic: cfg.Topics.Events, Partition: pa.ID, Dialer: dialer(t, cfg), MaxWait: cfg.Consumer.ReaderMaxWait()})
			defer r.Close()
			if err := r.SetOffset(kafkago.FirstOffset); err != nil {
				t.Error(err)
				return
			}
			hw, err := r.ReadLag(gctx)
			if err != nil {
				t.Error(err)
				return
			}
			var last int64 = -1
			for range hw {
				m, err := r.ReadMessage(gctx)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				got.add(t, m)
				mu.Unlock()
				last = m.Offset
			}
			if last >= 0 {
				if err := gen.CommitOffsets(map[string]map[int]int64{cfg.Topics.Events: {pa.ID: last + 1}}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	got.check(t, sent)
	if err := g.Close(); err != nil {
		t.Errorf("close group: %v", err)
	}

	// The committed offsets are what the broker hands the next reader of the group.
	c := &kafkago.Client{Addr: kafkago.TCP(cfg.Brokers...), Transport: transport(t, cfg)}
	parts := make([]int, cfg.Partitions)
	for i := range parts {
		parts[i] = i
	}
	res, err := c.OffsetFetch(ctx, &kafkago.OffsetFetchRequest{GroupID: "cg", Topics: map[string][]int{cfg.Topics.Events: parts}})
	if err != nil {
		t.Fatal(err)
	}
	var committed int64
	for _, po := range res.Topics[cfg.Topics.Events] {
		if po.CommittedOffset > 0 {
			committed += po.CommittedOffset
		}
	}
	if committed != int64(len(sent)) {
		t.Errorf("committed offsets add up to %d, want %d", committed, len(sent))
	}
}

func TestDeadLetter(t *testing.T) {
	cfg := testutil.Kafka(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tests := []struct {
		name, payload, reason, source, field string
	}{
		{"field known", `{"id":"e","type":"survey","answers":{"nps":11}}`, "must be between 0 and 10", kafka.SourceIngest, "answers.nps"},
		{"no field", `not json`, "invalid JSON: expected object at offset 0", kafka.SourceImport, ""},
		{"processor", `{"id":"x"}`, "unknown location", kafka.SourceProcessor, "location"},
		{"binary payload kept byte for byte", "\x00\xff\xfe", "invalid UTF-8", kafka.SourceIngest, ""},
	}
	p := kafka.NewProducer(cfg, cfg.Topics.DeadLetter, nil, nil)
	defer p.Close()
	before := time.Now().UTC()
	for _, tt := range tests {
		if err := p.Produce(ctx, kafka.DeadLetterMessage([]byte(tt.payload), tt.reason, tt.source, tt.field)); err != nil {
			t.Fatal(err)
		}
	}
	r, err := kafka.NewReader(cfg, "dlq", cfg.Topics.DeadLetter)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	byPayload := map[string]kafkago.Message{}
	for range tests {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		byPayload[string(m.Value)] = m
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok := byPayload[tt.payload]
			if !ok {
				t.Fatalf("payload %q not in the dead-letter topic", tt.payload)
			}
			for _, h := range []struct{ key, want string }{
				{kafka.HeaderReason, tt.reason},
				{kafka.HeaderSource, tt.source},
			} {
				if got, _ := kafka.Header(m, h.key); got != h.want {
					t.Errorf("header %s = %q, want %q", h.key, got, h.want)
				}
			}
			field, has := kafka.Header(m, kafka.HeaderField)
			if has != (tt.field != "") || field != tt.field {
				t.Errorf("header %s = %q (present %v), want %q", kafka.HeaderField, field, has, tt.field)
			}
			at, _ := kafka.Header(m, kafka.HeaderRejectedAt)
			ts, err := time.Parse(time.RFC3339Nano, at)
			if err != nil || ts.Before(before.Add(-time.Second)) || ts.After(time.Now().Add(time.Second)) {
				t.Errorf("header %s = %q: want the RFC 3339 time of the rejection (%v)", kafka.HeaderRejectedAt, at, err)
			}
		})
	}
}

func TestEnsureTopicsIdempotent(t *testing.T) {
	cfg := testutil.Kafka(t) // has created the topics once already
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// Concurrent starts of several services all ensure the topics.
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() { errs <- kafka.EnsureTopics(ctx, cfg) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("EnsureTopics on existing topics: %v", err)
		}
	}
	// A second call with another partition count leaves the existing topics alone.
	other := cfg
	other.Partitions = 3
	if err := kafka.EnsureTopics(ctx, other); err != nil {
		t.Fatal(err)
	}
	c := &kafkago.Client{Addr: kafkago.TCP(cfg.Brokers...), Transport: transport(t, cfg)}
	md, err := c.Metadata(ctx, &kafkago.MetadataRequest{Topics: []string{cfg.Topics.Events, cfg.Topics.DeadLetter}})
	if err != nil {
		t.Fatal(err)
	}
	if len(md.Topics) != 2 {
		t.Fatalf("metadata has %d topics, want 2", len(md.Topics))
	}
	for _, tp := range md.Topics {
		if len(tp.Partitions) != cfg.Partitions {
			t.Errorf("topic %s has %d partitions, want %d", tp.Name, len(tp.Partitions), cfg.Partitions)
		}
	}
	if err := kafka.Ping(ctx, cfg); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func TestPing(t *testing.T) {
	cfg := testutil.Kafka(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// A port nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()

	missing := cfg
	missing.Topics.Events = "not-created"
	down := cfg
	down.Brokers = []string{closed}
	down.AdminTimeout = 2 * time.Second
	tests := []struct {
		name    string
		cfg     func() (ok bool, err error)
		wantErr string
	}{
		{"ready", func() (bool, error) { return true, kafka.Ping(ctx, cfg) }, ""},
		{"topic missing", func() (bool, error) { return false, kafka.Ping(ctx, missing) }, "not-created"},
		{"broker down", func() (bool, error) { return false, kafka.Ping(ctx, down) }, closed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := tt.cfg()
			if ok != (err == nil) {
				t.Fatalf("Ping = %v", err)
			}
			if err != nil && !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not name %q", err, tt.wantErr)
			}
		})
	}
}

// A message above batch_bytes fails alone; the others of the call are written.
func TestProducePerMessageErrors(t *testing.T) {
	cfg := testutil.Kafka(t)
	cfg.Producer.BatchBytes = 2000
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	msgs := events(t, 6, 2)
	msgs[1].Value = []byte(strings.Repeat("x", 3000))
	msgs[4].Value = []byte(strings.Repeat("y", 2100))
	p := kafka.NewProducer(cfg, cfg.Topics.Events, nil, nil)
	defer p.Close()
	err := p.Produce(ctx, msgs...)
	var perr kafka.ProduceErrors
	if !errors.As(err, &perr) {
		t.Fatalf("want ProduceErrors, got %T %v", err, err)
	}
	if perr.Count() != 2 {
		t.Errorf("%d messages failed, want 2: %v", perr.Count(), err)
	}
	var tooLarge *kafka.TooLargeError
	for i, e := range kafka.MessageErrors(err, len(msgs)) {
		wantFail := i == 1 || i == 4
		if (e != nil) != wantFail || (wantFail && !errors.As(e, &tooLarge)) {
			t.Errorf("message %d: error %v, want failed=%v with TooLargeError", i, e, wantFail)
		}
	}
	written := []kafkago.Message{msgs[0], msgs[2], msgs[3], msgs[5]}
	r, err := kafka.NewReader(cfg, "per-message", cfg.Topics.Events)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := newReceived()
	readN(t, ctx, r, len(written), got)
	got.check(t, written)

	// A topic that does not exist fails every message, and the error says so per message.
	p2 := kafka.NewProducer(cfg, "no-such-topic", nil, nil)
	defer p2.Close()
	short, cancelShort := context.WithTimeout(ctx, 3*time.Second)
	defer cancelShort()
	err = p2.Produce(short, msgs[0], msgs[2])
	es := kafka.MessageErrors(err, 2)
	if es == nil || es[0] == nil || es[1] == nil {
		t.Errorf("produce to a missing topic: %v, want both messages failed", err)
	}
}

func ExampleDeadLetterMessage() {
	m := kafka.DeadLetterMessage([]byte(`{"nps":11}`), "must be between 0 and 10", kafka.SourceIngest, "answers.nps")
	for _, h := range m.Headers[:3] {
		fmt.Printf("%s: %s\n", h.Key, h.Value)
	}
	// Output:
	// cxm-reason: must be between 0 and 10
	// cxm-source: ingest
	// cxm-field: answers.nps
}

func TestEndOffsets(t *testing.T) {
	cfg := testutil.Kafka(t)
	ctx := context.Background()
	p := kafka.NewProducer(cfg, cfg.Topics.Events, slog.New(slog.DiscardHandler), nil)
	defer p.Close()
	// Five messages with one key land in one partition; the others stay empty.
	var msgs []kafkago.Message
	for i := range 5 {
		msgs = append(msgs, kafkago.Message{Key: []byte("store-001"), Value: []byte(fmt.Sprint(i))})
	}
	if err := p.Produce(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	parts := make([]int, cfg.Partitions)
	for i := range parts {
		parts[i] = i
	}
	ends, err := kafka.EndOffsets(ctx, cfg, cfg.Topics.Events, parts)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	nonEmpty := 0
	for _, end := range ends {
		total += end
		if end > 0 {
			nonEmpty++
		}
	}
	if total != 5 || nonEmpty != 1 || len(ends) != cfg.Partitions {
		t.Errorf("end offsets %v: want one partition at 5 and the others at 0", ends)
	}
}

// recorder is a kafka.Observer keeping what it is told.
type recorder struct {
	mu      sync.Mutex
	next    uint64
	running map[uint64]bool
	written map[uint64][]kafka.Written
}

func (r *recorder) ProduceStarted() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running == nil {
		r.running, r.written = map[uint64]bool{}, map[uint64][]kafka.Written{}
	}
	r.next++
	r.running[r.next] = true
	return r.next
}

func (r *recorder) ProduceDone(call uint64, written []kafka.Written) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.running[call] {
		panic(fmt.Sprintf("ProduceDone(%d) for a call not running", call))
	}
	delete(r.running, call)
	r.written[call] = append([]kafka.Written(nil), written...)
}

// TestProduceObserver: an observed producer reports, per call, the offsets of exactly the messages it reports
// written, as a consumer then finds them; concurrent calls share batches without mixing up their offsets.
func TestProduceObserver(t *testing.T) {
	cfg := testutil.Kafka(t)
	cfg.Producer.BatchBytes = 4000
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var rec recorder
	p := kafka.NewProducer(cfg, cfg.Topics.Events, nil, nil)
	p.Observe(&rec)
	defer p.Close()

	msgs := events(t, 1200, 9)
	msgs[7].Value = []byte(strings.Repeat("x", 5000)) // too large: fails alone
	const calls = 6
	var wg sync.WaitGroup
	errs := make([]error, calls)
	for c := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[c] = p.Produce(ctx, msgs[c*200:(c+1)*200]...)
		}()
	}
	wg.Wait()
	// A call whose context has ended reports every message failed and nothing written.
	done, cancelDone := context.WithCancel(ctx)
	cancelDone()
	late := events(t, 3, 1)
	for i := range late {
		late[i].Value = fmt.Appendf(nil, `{"late":%d}`, i) // unlike every value above
	}
	lateErr := p.Produce(done, late...)
	if lateErr == nil {
		t.Log("the cancelled call got through") // allowed, but then it must report what it wrote
	}

	// Where every message went, by value (the cancelled call's may come too, or not).
	want := map[string]bool{}
	for i, m := range msgs {
		if i != 7 {
			want[string(m.Value)] = true
		}
	}
	at := map[string][2]int64{}
	r, err := kafka.NewReader(cfg, "observer", cfg.Topics.Events)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for found := 0; found < len(want); {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			t.Fatalf("after %d messages: %v", len(at), err)
		}
		at[string(m.Value)] = [2]int64{int64(m.Partition), m.Offset}
		if want[string(m.Value)] {
			found++
		}
	}

	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.running) != 0 || len(rec.written) != calls+1 {
		t.Fatalf("%d calls still running, %d done; want 0 and %d", len(rec.running), len(rec.written), calls+1)
	}
	claimed := map[[2]int64]uint64{}
	for call, ws := range rec.written {
		for _, w := range ws {
			for off := w.From; off < w.To; off++ {
				pos := [2]int64{int64(w.Partition), off}
				if other, ok := claimed[pos]; ok {
					t.Fatalf("offset %v reported by calls %d and %d", pos, other, call)
				}
				claimed[pos] = call
			}
		}
	}
	// Calls are numbered from 1 in the order they started, which is not the order of msgs: match them by
	// the messages their ranges hold.
	written := 0
	for c := range calls {
		var call uint64
		for i, m := range msgs[c*200 : (c+1)*200] {
			if c*200+i == 7 {
				if _, ok := at[string(m.Value)]; ok {
					t.Fatal("the too-large message was written")
				}
				if es := kafka.MessageErrors(errs[c], 200); es == nil || es[i] == nil {
					t.Errorf("the too-large message has no error: %v", errs[c])
				}
				continue
			}
			pos, ok := at[string(m.Value)]
			if !ok {
				t.Fatalf("message %d not found in the topic", c*200+i)
			}
			got, ok := claimed[pos]
			if !ok {
				t.Fatalf("message %d at %v is in no reported range", c*200+i, pos)
			}
			if call == 0 {
				call = got
			} else if got != call {
				t.Fatalf("messages of one call reported by calls %d and %d", call, got)
			}
			written++
		}
	}
	if lateErr != nil && len(rec.written[uint64(calls+1)]) != 0 {
		t.Errorf("the failed call reported offsets %v", rec.written[uint64(calls+1)])
	}
	if lateErr == nil {
		written += 3
	}
	if len(claimed) != written {
		t.Errorf("%d offsets reported, %d messages written", len(claimed), written)
	}
}
