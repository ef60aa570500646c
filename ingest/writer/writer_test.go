package writer_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/ingest/dedupe"
	"github.com/cxm-project/cxm/ingest/ingesttest"
	"github.com/cxm-project/cxm/ingest/metrics"
	"github.com/cxm-project/cxm/ingest/writer"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kafka"
	cxmtest "github.com/cxm-project/cxm/internal/testutil"
)

// TestWriter writes through the real producer to kfake: events and dead letters land in their topics, an
// id is remembered only once Kafka acknowledged it, Submit refuses a repeat and an invalid event, and every
// outcome is counted in the registry the writer's metrics were built on.
func TestWriter(t *testing.T) {
	k := cxmtest.Kafka(t)
	log := slog.New(slog.DiscardHandler)
	events := kafka.NewProducer(k, k.Topics.Events, log, nil)
	defer events.Close()
	dead := kafka.NewProducer(k, k.Topics.DeadLetter, log, nil)
	defer dead.Close()
	seen := dedupe.New(time.Hour, 1000)
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	w := writer.New(writer.Options{Events: events, DeadLetter: dead, Seen: seen, Metrics: m, ProduceTimeout: 10 * time.Second, Log: log})
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	nps := 9
	survey := event.Event{ID: "w-1", Type: event.TypeSurvey, Location: "shop-1", Time: now, Survey: "default", Answers: &event.Answers{NPS: &nps}}

	if err := w.Submit(ctx, survey); err != nil {
		t.Fatal(err)
	}
	if !seen.Seen("shop-1", "w-1", now) {
		t.Error("an acknowledged id is not remembered")
	}
	if err := w.Submit(ctx, survey); !errors.Is(err, writer.ErrDuplicate) {
		t.Errorf("second submit: %v, want ErrDuplicate", err)
	}
	bad := survey
	bad.ID, bad.Location = "w-2", ""
	if err := w.Submit(ctx, bad); err == nil {
		t.Error("an event without a location was accepted")
	}

	// A batch with a dead letter beside it, marked by key afterwards as the API does.
	msg := kafkago.Message{Key: []byte("shop-1"), Headers: w.Headers()}
	msg.Value = []byte(`{"id":"w-3","type":"survey","location":"shop-1","time":"` + now.Format(time.RFC3339) + `","survey":"default","answers":{"nps":7}}`)
	abandoned, err := w.Write(ctx, []kafkago.Message{msg}, []kafkago.Message{kafka.DeadLetterMessage([]byte(`{"x":1}`), "id: required", kafka.SourceIngest, "id")})
	if err != nil || abandoned {
		t.Fatalf("write: %v abandoned=%v", err, abandoned)
	}
	w.Mark([]dedupe.Key{seen.Key("shop-1", "w-3")}, nil, now)
	if !seen.Seen("shop-1", "w-3", now) {
		t.Error("Mark did not remember w-3")
	}
	w.Count("survey", metrics.Accepted, 1)

	ids := map[string]int{}
	for _, m := range ingesttest.ReadAll(t, k, k.Topics.Events) {
		e, err := event.Decode(m.Value)
		if err != nil {
			t.Fatal(err)
		}
		ids[e.ID]++
	}
	if ids["w-1"] != 1 || ids["w-3"] != 1 || ids["w-2"] != 0 || len(ids) != 2 {
		t.Errorf("events topic holds %v, want w-1 and w-3 once", ids)
	}
	if n := len(ingesttest.ReadAll(t, k, k.Topics.DeadLetter)); n != 1 {
		t.Errorf("%d dead letters, want 1", n)
	}
	for _, c := range []struct {
		outcome string
		want    float64
	}{{metrics.Accepted, 2}, {metrics.Duplicate, 1}, {metrics.Rejected, 1}, {metrics.Failed, 0}} {
		if got := testutil.ToFloat64(m.Events.WithLabelValues("survey", c.outcome)); got != c.want {
			t.Errorf("cxm_ingest_events_total{outcome=%q} = %v, want %v", c.outcome, got, c.want)
		}
	}
	if got, _ := reg.Gather(); len(got) == 0 {
		t.Error("the registry the metrics were built on gathers nothing")
	}
}
