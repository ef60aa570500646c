package cases

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kafka"
)

// Engine is the rule engine: a consumer group of its own on the events topic that produces the case
// open events back into the same topic. It runs beside the processor rather than inside it so that the
// processor stays a pure function from the topic to ClickHouse (its effectively-once writes never wait
// on a Kafka produce), and so either can lag, restart or scale without the other.
//
// Exactly once per triggering event, through crashes and replays: a case's id derives from the rule and
// the trigger's id (ID), so reading an event twice produces the same open event with the same id, which
// the processor's dedupe drops. The engine commits each partition's offset only once the record is a
// cases.window (Kafka record time) behind the newest one read, so a restarted engine reads the window
// again and remembers the low smileys a following message needs.
type Engine struct {
	cfg     *config.Config
	rules   *Rules
	out     *kafka.Producer
	log     *slog.Logger
	metrics *metrics
	retry   time.Duration
}

type metrics struct {
	read   prometheus.Counter
	opened *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	return &metrics{
		read: f.NewCounter(prometheus.CounterOpts{Name: "cxm_cases_events_read_total",
			Help: "Events the case rule engine read from the events topic (replays included)."}),
		opened: f.NewCounterVec(prometheus.CounterOpts{Name: "cxm_cases_opened_total",
			Help: "Case open events the rule engine produced, by rule (a replay produces the same case again; the processor drops it)."}, []string{"rule"}),
	}
}

// NewEngine returns the engine of cfg; its producer's metrics are labelled component="cases".
func NewEngine(cfg *config.Config, log *slog.Logger, reg prometheus.Registerer) *Engine {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	km := kafka.NewMetrics(kafka.ComponentRegisterer(reg, "cases"))
	return &Engine{cfg: cfg, rules: NewRules(&cfg.Cases), log: log, metrics: newMetrics(reg), retry: time.Second,
		out: kafka.NewProducer(cfg.Kafka, cfg.Kafka.Topics.Events, log.With("producer", "cases"), km)}
}

// Run consumes until ctx ends. It returns nil on cancellation; the offsets it committed lag by the window.
func (g *Engine) Run(ctx context.Context) error {
	defer g.out.Close()
	r, err := kafka.NewReader(g.cfg.Kafka, g.cfg.Cases.Group, g.cfg.Kafka.Topics.Events)
	if err != nil {
		return err
	}
	defer r.Close()
	pending := map[int][]kafkago.Message{}
	for {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("cases: read %s: %w", g.cfg.Kafka.Topics.Events, err)
		}
		g.metrics.read.Inc()
		if err := g.handle(ctx, m); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		q := append(pending[m.Partition], m)
		var commit *kafkago.Message
		for len(q) > 1 && m.Time.Sub(q[0].Time) > g.cfg.Cases.Window {
			commit = &q[0]
			q = q[1:]
		}
		pending[m.Partition] = q
		if commit != nil {
			if err := r.CommitMessages(ctx, *commit); err != nil && ctx.Err() == nil {
				g.log.Warn("cases: commit", "partition", commit.Partition, "offset", commit.Offset, "err", err)
			}
		}
	}
}

// handle applies the rules to one record and produces the open event it triggers, retrying until Kafka
// acknowledges it or ctx ends: a record whose case is not written must not be passed by.
func (g *Engine) handle(ctx context.Context, m kafkago.Message) error {
	e, err := event.Decode(m.Value)
	if err != nil {
		return nil // not an event: the processor dead-letters it
	}
	if v, ok := kafka.Header(m, event.MisuseHeader); ok {
		e.Misuse = v
	}
	open, ok := g.rules.Apply(&e)
	if !ok {
		return nil
	}
	msg := kafkago.Message{Key: []byte(open.Location), Value: open.AppendJSON(nil), Time: time.Now()}
	for {
		err := g.out.Produce(ctx, msg)
		if err == nil {
			g.metrics.opened.WithLabelValues(open.Case.Rule).Inc()
			g.log.Debug("case opened", "case", open.Case.ID, "rule", open.Case.Rule, "trigger", open.Case.Trigger)
			return nil
		}
		g.log.Warn("cases: produce the open event, retrying", "case", open.Case.ID, "err", err)
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), err)
		case <-time.After(g.retry):
		}
	}
}
