// Package writer is the ingest's one way to Kafka: the event API, the survey pages, the assessment and the
// importer hand it accepted events and rejected inputs, and it produces them (events and dead letters side
// by side), marks the ids Kafka confirmed in the dedupe set, and counts every outcome in the ingest's
// metrics. Keeping that in one place keeps the rules in one place: an id is remembered only after Kafka
// acknowledged it, a write that may still land is remembered as "maybe written", a lost dead letter costs
// the operator a copy and never fails the request.
package writer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/ingest/dedupe"
	"github.com/cxm-project/cxm/ingest/metrics"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/survey"
)

// Producer writes messages and returns once Kafka acknowledged them (internal/kafka.Producer). It is the
// one producer interface of the ingest.
type Producer interface {
	Produce(ctx context.Context, msgs ...kafkago.Message) error
}

// Options build a Writer. Seen, DeadLetter and Log may be nil: without a dedupe set nothing is marked (the
// importer, a process of its own, relies on the processor's dedupe), without a dead-letter producer
// rejected inputs are only counted.
type Options struct {
	Events     Producer
	DeadLetter Producer
	Seen       *dedupe.Set
	Metrics    *metrics.Metrics
	// ProduceTimeout bounds one write (ingest.produce_timeout); 0 leaves it to the caller's context.
	ProduceTimeout time.Duration
	Log            *slog.Logger
}

// Writer writes to the events and dead-letter topics. It is safe for concurrent use.
type Writer struct {
	events, deadLetter Producer
	seen               *dedupe.Set
	m                  *metrics.Metrics
	timeout            time.Duration
	log                *slog.Logger
}

// New returns a Writer; Metrics nil means unregistered metrics.
func New(o Options) *Writer {
	if o.Metrics == nil {
		o.Metrics = metrics.New(nil)
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Writer{events: o.Events, deadLetter: o.DeadLetter, seen: o.Seen, m: o.Metrics, timeout: o.ProduceTimeout, log: o.Log}
}

// Metrics are the writer's metrics, for the handlers' own counts (requests, refusals).
func (w *Writer) Metrics() *metrics.Metrics { return w.m }

// Seen is the dedupe set (nil without one).
func (w *Writer) Seen() *dedupe.Set { return w.seen }

// Headers are the headers every event message carries (the dedupe set's origin), nil without a set.
func (w *Writer) Headers() []kafkago.Header {
	if w.seen == nil {
		return nil
	}
	return w.seen.Headers()
}

// Write produces events and, alongside, dead letters, and returns once Kafka acknowledged the events or
// the write failed (err as internal/kafka reports it, per message through kafka.MessageErrors). The write is
// detached from parent's cancellation and bounded by the produce timeout: a client that hangs up must not
// leave events written but not remembered. abandoned reports that the timeout ended a write the producer
// may still be sending, so the messages' buffers must not be reused.
func (w *Writer) Write(parent context.Context, events, dead []kafkago.Message) (abandoned bool, err error) {
	ctx := context.WithoutCancel(parent)
	if w.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, w.timeout)
		defer cancel()
	}
	var wg sync.WaitGroup
	if len(dead) > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.DeadLetter(ctx, dead)
		}()
	}
	if len(events) > 0 {
		// Its duration is cxm_kafka_produce_duration_seconds{component="ingest"} of the events topic.
		err = w.events.Produce(ctx, events...)
		if err != nil {
			w.m.KafkaErrors.WithLabelValues("events").Inc()
		}
	}
	wg.Wait()
	return ctx.Err() != nil, err
}

// DeadLetter writes rejected inputs to the dead-letter topic. A failure is counted and logged, not
// returned: whoever sent them has already been told why each was rejected.
func (w *Writer) DeadLetter(ctx context.Context, dead []kafkago.Message) {
	if w.deadLetter == nil || len(dead) == 0 {
		return
	}
	if err := w.deadLetter.Produce(ctx, dead...); err != nil {
		w.m.KafkaErrors.WithLabelValues("deadletter").Inc()
		w.log.Warn("dead-letter write failed", "messages", len(dead), "err", err)
	}
}

// Mark remembers the ids Kafka confirmed (added) as seen at accepted, and those whose write may still land
// (failed: a timeout, a lost acknowledgement) as maybe written, for the tailer to settle.
func (w *Writer) Mark(added, failed []dedupe.Key, accepted time.Time) {
	if w.seen == nil {
		return
	}
	w.seen.AddKeys(added, accepted)
	if len(failed) > 0 {
		w.seen.MaybeWritten(failed...)
	}
}

// Count adds n events of type typ ("unknown" when empty) with outcome (metrics.Accepted …).
func (w *Writer) Count(typ, outcome string, n int) {
	if n <= 0 {
		return
	}
	if typ == "" {
		typ = "unknown"
	}
	w.m.Events.WithLabelValues(typ, outcome).Add(float64(n))
}

// ErrDuplicate is Submit's answer for an id already accepted.
var ErrDuplicate = errors.New("duplicate event id")

// Submit validates one event built by the ingest itself (a survey answer, an assessment), writes it and
// waits for Kafka's acknowledgement. Its id is remembered like the API's.
func (w *Writer) Submit(ctx context.Context, e event.Event) error {
	now := time.Now()
	typ := string(e.Type)
	errs := e.Validate()
	if errs == nil && e.Type == event.TypeSurvey {
		errs = survey.Active().Check(&e)
	}
	if errs != nil {
		w.Count(typ, metrics.Rejected, 1)
		return errs
	}
	if w.seen != nil && w.seen.Seen(e.Location, e.ID, now) {
		w.Count(typ, metrics.Duplicate, 1)
		return ErrDuplicate
	}
	headers := w.Headers()
	if e.Misuse != "" {
		// The full slice expression keeps the shared header slice from being appended to in place.
		headers = append(headers[:len(headers):len(headers)], kafkago.Header{Key: event.MisuseHeader, Value: []byte(e.Misuse)})
	}
	msg := kafkago.Message{Key: []byte(e.Location), Value: e.AppendJSON(nil), Headers: headers, Time: now}
	if _, err := w.Write(ctx, []kafkago.Message{msg}, nil); err != nil {
		if w.seen != nil {
			w.seen.MaybeWritten(w.seen.Key(e.Location, e.ID))
		}
		w.Count(typ, metrics.Failed, 1)
		return fmt.Errorf("kafka: %w", err)
	}
	if w.seen != nil {
		w.seen.Add(e.Location, e.ID, now)
	}
	w.Count(typ, metrics.Accepted, 1)
	return nil
}
