package cases_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/internal/cases"
	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kafka"
	"github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/processor"
)

func ip(v int) *int { return &v }

// stream is one location's events, record time = event time, oldest first: what each should open.
func stream(now time.Time) (evs []event.Event, want map[string]string) {
	base := now.Add(-70 * time.Minute)
	at := func(m int) time.Time { return base.Add(time.Duration(m) * time.Minute).Truncate(time.Second) }
	msg := func(id string, t time.Time, kind string, m *event.Message) event.Event {
		return event.Event{ID: id, Type: event.TypeMessage, Location: "s1", Time: t, Kind: kind, Message: m}
	}
	survey := func(id string, t time.Time, a *event.Answers) event.Event {
		return event.Event{ID: id, Type: event.TypeSurvey, Location: "s1", Time: t, Survey: "default", Answers: a}
	}
	evs = []event.Event{
		msg("m-complaint", at(0), event.KindComplaint, &event.Message{Text: "rude"}),
		survey("s-detractor", at(10), &event.Answers{NPS: ip(3), Comment: "slow"}),
		survey("s-silent-detractor", at(20), &event.Answers{NPS: ip(3)}),
		survey("s-low-csat", at(30), &event.Answers{CSAT: ip(2)}),
		msg("m-thanks", at(40), event.KindThanks, &event.Message{Text: "great"}),
		msg("m-call-me", at(50), event.KindSuggestion, &event.Message{Text: "more tills", Contact: "+7 900", Consent: true}),
		{ID: "p-bad", Type: event.TypeButton, Location: "s1", Time: now.Add(-3 * time.Minute).Truncate(time.Second), Kind: event.KindSmiley, Value: 1, Scale: 5},
		msg("m-after-bad", now.Add(-2*time.Minute).Truncate(time.Second), event.KindThanks, nil),
	}
	want = map[string]string{ // trigger -> rule
		"m-complaint": "complaint", "s-detractor": "detractor-comment", "s-low-csat": "low-csat",
		"m-call-me": "contact-me", "m-after-bad": "bad-smiley-message",
	}
	return evs, want
}

// TestEngineOncePerTriggerThroughCrashAndReplay: an engine reads the stream and is stopped; a second one of
// the same group re-reads only the window its commits lag by (and, remembering the low smiley from it,
// opens the same case again); a third, of a new group, replays everything. Kafka then holds 5 + 1 + 5 open
// events, and ClickHouse, after the processor, exactly the 5 cases, each once, with the deterministic ids.
func TestEngineOncePerTriggerThroughCrashAndReplay(t *testing.T) {
	kc := testutil.Kafka(t)
	conn, ch := testutil.ClickHouse(t)
	cfg, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Kafka, cfg.ClickHouse = kc, ch
	cfg.Kafka.Consumer.MaxWait = 100 * time.Millisecond
	cfg.Kafka.Consumer.CommitInterval = 50 * time.Millisecond
	cfg.Kafka.Consumer.SessionTimeout = 6 * time.Second
	cfg.Kafka.Consumer.HeartbeatInterval = time.Second
	cfg.Kafka.Consumer.JoinGroupBackoff = 200 * time.Millisecond
	cfg.Processor.GroupID = "proc"
	cfg.Processor.FlushInterval = 100 * time.Millisecond
	now := time.Now().UTC()
	evs, want := stream(now)
	p := kafka.NewProducer(kc, kc.Topics.Events, slog.New(slog.DiscardHandler), nil)
	for _, e := range evs {
		if err := p.Produce(context.Background(), kafkago.Message{Key: []byte(e.Location), Value: e.AppendJSON(nil), Time: e.Time}); err != nil {
			t.Fatal(err)
		}
	}
	p.Close()

	total := func() int64 {
		var n int64
		for _, end := range endOffsets(t, kc) {
			n += end
		}
		return n
	}
	run := func(group string, wantTotal int64) {
		t.Helper()
		c := *cfg
		c.Cases.Group = group
		g := cases.NewEngine(&c, slog.New(slog.DiscardHandler), nil)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- g.Run(ctx) }()
		deadline := time.Now().Add(30 * time.Second)
		for total() < wantTotal && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(time.Second) // anything more it would produce (it must not)
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("engine %s: %v", group, err)
		}
		if got := total(); got != wantTotal {
			t.Fatalf("after engine %s the topic holds %d records, want %d", group, got, wantTotal)
		}
	}
	n := int64(len(evs))
	run("cases-a", n+5)
	run("cases-a", n+5+1) // restarted: re-reads the 15 min window, i.e. the low smiley and the message after it
	run("cases-b", n+5+1+5)

	stop := startProcessor(t, cfg)
	defer stop()
	deadline := time.Now().Add(60 * time.Second)
	var rows, distinct uint64
	for time.Now().Before(deadline) {
		if err := conn.QueryRow(context.Background(), "SELECT count(), uniqExact(case_id) FROM "+clickhouse.Ident(ch.Database)+
			".events WHERE type = 'case'").Scan(&rows, &distinct); err != nil {
			t.Fatal(err)
		}
		var stored uint64
		_ = conn.QueryRow(context.Background(), "SELECT count() FROM "+clickhouse.Ident(ch.Database)+".events WHERE type != 'case'").Scan(&stored)
		if rows >= 5 && stored == uint64(n) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	got := map[string]string{}
	r, err := conn.Query(context.Background(), "SELECT case_id, rule, trigger_id, source, id FROM "+clickhouse.Ident(ch.Database)+".events WHERE type = 'case'")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for r.Next() {
		var id, rule, trigger, source, evID string
		if err := r.Scan(&id, &rule, &trigger, &source, &evID); err != nil {
			t.Fatal(err)
		}
		if _, dup := got[trigger]; dup {
			t.Errorf("trigger %s opened twice", trigger)
		}
		got[trigger] = rule
		if id != cases.ID(rule, trigger) || evID != cases.OpenEventID(id) {
			t.Errorf("case %s of %s/%s: id not derived from rule and trigger", id, rule, trigger)
		}
	}
	if len(got) != len(want) {
		t.Errorf("cases %v, want %v", got, want)
	}
	for trig, rule := range want {
		if got[trig] != rule {
			t.Errorf("trigger %s: rule %q, want %q", trig, got[trig], rule)
		}
	}
}

func startProcessor(t *testing.T, cfg *config.Config) func() {
	t.Helper()
	p, err := processor.New(cfg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("processor: %v", err)
		}
	}
}

func endOffsets(t *testing.T, kc config.Kafka) map[int]int64 {
	t.Helper()
	c := &kafkago.Client{Addr: kafkago.TCP(kc.Brokers...), Timeout: 10 * time.Second}
	reqs := make([]kafkago.OffsetRequest, kc.Partitions)
	for i := range reqs {
		reqs[i] = kafkago.LastOffsetOf(i)
	}
	res, err := c.ListOffsets(context.Background(), &kafkago.ListOffsetsRequest{Topics: map[string][]kafkago.OffsetRequest{kc.Topics.Events: reqs}})
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]int64{}
	for _, p := range res.Topics[kc.Topics.Events] {
		if p.Error != nil {
			t.Fatal(p.Error)
		}
		out[p.Partition] = p.LastOffset
	}
	return out
}
