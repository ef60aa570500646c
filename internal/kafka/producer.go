package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/internal/config"
)

// Metrics are the producers' metrics of one component: build them once per registerer with NewMetrics and
// hand them to every NewProducer of that component.
type Metrics struct {
	produced, failed *prometheus.CounterVec
	duration         *prometheus.HistogramVec
}

// NewMetrics registers the producer metrics with reg; nil leaves them unregistered.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	f := promauto.With(reg)
	return &Metrics{
		produced: f.NewCounterVec(prometheus.CounterOpts{
			Name: "cxm_kafka_produced_messages_total",
			Help: "Messages the brokers acknowledged (acks=all), by topic.",
		}, []string{"topic"}),
		failed: f.NewCounterVec(prometheus.CounterOpts{
			Name: "cxm_kafka_produce_errors_total",
			Help: "Messages Produce reported as not written, by topic.",
		}, []string{"topic"}),
		duration: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "cxm_kafka_produce_duration_seconds",
			Help:    "Time one Produce call took, from the call until every message was acknowledged or failed, by topic.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14), // 1 ms .. 8 s
		}, []string{"topic"}),
	}
}

// ComponentRegisterer labels what registers through it with component=name, so the producers of the
// ingest and of the processor in one process (cxm run) export their own series under the same names.
func ComponentRegisterer(reg prometheus.Registerer, name string) prometheus.Registerer {
	if reg == nil {
		return nil
	}
	return prometheus.WrapRegistererWith(prometheus.Labels{"component": name}, reg)
}

// Producer writes to one topic and waits until all in-sync replicas have every message.
type Producer struct {
	w         *kafkago.Writer
	transport *kafkago.Transport
	topic     string
	maxBytes  int64
	produced  prometheus.Counter
	failed    prometheus.Counter
	duration  prometheus.Observer
	observer  Observer
	setupErr  error // kafka.tls or kafka.sasl could not be applied: nothing is sent
	security  config.Kafka
}

// Written is a run of consecutive offsets, [From, To), that messages of one Produce call got in a partition.
type Written struct {
	Partition int
	From, To  int64
}

// Observer follows a Producer's Produce calls (Producer.Observe), so a reader of the topic can tell the
// producer's own messages from others' without reading them.
type Observer interface {
	// ProduceStarted is called when a Produce call starts, before anything is sent; its result is passed
	// to ProduceDone.
	ProduceStarted() (call uint64)
	// ProduceDone is called exactly once for every ProduceStarted, before Produce returns, with the offsets
	// of exactly the messages the call reports written: all of them when it returns nil, those without an
	// error in a ProduceErrors, none when the whole call failed (a context that ended, for one: messages of
	// such a call may be written all the same, at offsets the observer is never told). written is only
	// valid during the call.
	ProduceDone(call uint64, written []Written)
}

// NewProducer returns a producer for topic. Messages are partitioned by the murmur2 hash of their key (a nil
// key goes to a random partition). A partial batch waits at most cfg.Producer.BatchTimeout, not kafka-go's
// default second. An unknown compression name, which config validation rejects, falls back to none.
// m nil counts into unregistered metrics.
func NewProducer(cfg config.Kafka, topic string, log *slog.Logger, m *Metrics) *Producer {
	if log == nil {
		log = slog.Default()
	}
	if m == nil {
		m = NewMetrics(nil)
	}
	codec, err := Compression(cfg.Producer.Compression)
	if err != nil {
		log.Error("kafka producer: compression off", "topic", topic, "err", err)
	}
	t, err := Transport(cfg)
	if err != nil {
		// Config validation reads the TLS files already; should one have gone since, every Produce reports
		// it rather than sending without the security the config asks for.
		log.Error("kafka producer: unusable TLS/SASL settings", "topic", topic, "err", err)
		t = &kafkago.Transport{}
	}
	p := &Producer{
		setupErr: err,
		security: cfg,
		w: &kafkago.Writer{
			Addr:         kafkago.TCP(cfg.Brokers...),
			Topic:        topic,
			Balancer:     &kafkago.Murmur2Balancer{},
			MaxAttempts:  cfg.Producer.MaxAttempts,
			BatchSize:    cfg.Producer.BatchSize,
			BatchBytes:   cfg.Producer.BatchBytes,
			BatchTimeout: cfg.Producer.BatchTimeout,
			WriteTimeout: cfg.Producer.WriteTimeout,
			// The acknowledgement of acks=all arrives after the replicas caught up: the response read gets
			// the same allowance as the write.
			ReadTimeout:  cfg.Producer.WriteTimeout,
			RequiredAcks: kafkago.RequireAll,
			Compression:  codec,
			Transport:    t,
			ErrorLogger:  errorLogger(log.With("topic", topic), "writer"),
		},
		transport: t,
		topic:     topic,
		maxBytes:  cfg.Producer.BatchBytes,
		produced:  m.produced.WithLabelValues(topic),
		failed:    m.failed.WithLabelValues(topic),
		duration:  m.duration.WithLabelValues(topic),
	}
	if p.maxBytes <= 0 {
		p.maxBytes = 1 << 20 // kafka-go's own default
	}
	return p
}

// Topic is the topic the producer writes to.
func (p *Producer) Topic() string { return p.topic }

// Observe makes the producer report its calls and the offsets of what they wrote to o. Call it before the
// first Produce. While observed, Produce uses the WriterData and Offset fields of the messages it is given
// (kafka-go's Completion reports offsets through them): it overwrites what the caller put there.
func (p *Producer) Observe(o Observer) {
	p.observer = o
	p.w.Completion = completed
}

// produceCall collects the offsets a Produce call's messages got, from kafka-go's Completion callbacks, which
// run on the writer's goroutines, one per partition batch.
type produceCall struct {
	mu      sync.Mutex
	written []Written
}

// completed is the Writer's Completion: it files the offsets of a written batch's messages with the calls
// they came from. A batch may hold messages of several calls, and a call's messages may span batches.
func completed(msgs []kafkago.Message, err error) {
	if err != nil {
		return // those messages are reported failed: their offsets are unknown, if they have any
	}
	for i := 0; i < len(msgs); {
		c, _ := msgs[i].WriterData.(*produceCall)
		from := msgs[i].Offset
		j := i + 1
		for j < len(msgs) && msgs[j].Offset == from+int64(j-i) {
			if cj, _ := msgs[j].WriterData.(*produceCall); cj != c {
				break
			}
			j++
		}
		// Offset stays -1 (set by produce) when kafka-go had no response to take offsets from.
		if c != nil && from >= 0 {
			c.add(Written{Partition: msgs[i].Partition, From: from, To: from + int64(j-i)})
		}
		i = j
	}
}

func (c *produceCall) add(w Written) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if n := len(c.written); n > 0 && c.written[n-1].Partition == w.Partition && c.written[n-1].To == w.From {
		c.written[n-1].To = w.To
		return
	}
	c.written = append(c.written, w)
}

// Produce writes msgs and returns when the brokers acknowledged all of them with acks=all, or some failed.
// Messages must not name a topic; their keys choose the partition, and messages of one key keep their order.
//
// On failure the error is a ProduceErrors with one entry per message (nil for those written), so a caller
// can answer per event; MessageErrors reads it from any error. When ctx ends first every message counts as
// failed although some may have been written: a retry may then write those twice (at-least-once).
func (p *Producer) Produce(ctx context.Context, msgs ...kafkago.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	if p.setupErr != nil {
		p.failed.Add(float64(len(msgs)))
		return p.setupErr
	}
	start := time.Now()
	var call *produceCall
	var id uint64
	if p.observer != nil {
		call = &produceCall{}
		id = p.observer.ProduceStarted()
	}
	errs, written := p.produce(ctx, msgs, call)
	if call != nil {
		p.observer.ProduceDone(id, written)
	}
	p.duration.Observe(time.Since(start).Seconds())
	if errs == nil {
		p.produced.Add(float64(len(msgs)))
		return nil
	}
	// One failed batch gives its messages the same error: explain each distinct one once.
	var last, explained error
	for i, err := range errs {
		if err != nil {
			if err != last {
				last, explained = err, Explain(p.security, err)
			}
			errs[i] = explained
		}
	}
	n := errs.Count()
	p.produced.Add(float64(len(msgs) - n))
	p.failed.Add(float64(n))
	return errs
}

// produce writes msgs; with call (observed) it also returns the offsets of the messages it reports written.
func (p *Producer) produce(ctx context.Context, msgs []kafkago.Message, call *produceCall) (ProduceErrors, []Written) {
	// kafka-go rejects the whole call at the first message above BatchBytes; taking those out first lets
	// the rest through and tells the caller exactly which ones failed.
	var errs ProduceErrors
	send, index := msgs, []int(nil)
	for i := range msgs {
		if size := messageSize(&msgs[i]); size > p.maxBytes {
			if errs == nil {
				errs = make(ProduceErrors, len(msgs))
				send = append(make([]kafkago.Message, 0, len(msgs)), msgs[:i]...)
				index = make([]int, i, len(msgs))
				for j := range index {
					index[j] = j
				}
			}
			errs[i] = &TooLargeError{Size: size, Max: p.maxBytes}
		} else if errs != nil {
			send = append(send, msgs[i])
			index = append(index, i)
		}
	}
	if len(send) == 0 {
		return errs, nil
	}
	if call != nil {
		for i := range send {
			send[i].WriterData, send[i].Offset = call, -1
		}
	}
	err := p.w.WriteMessages(ctx, send...)
	var werr kafkago.WriteErrors
	perMessage := err != nil && errors.As(err, &werr) && len(werr) == len(send)
	var written []Written
	if call != nil && (err == nil || perMessage) {
		// WriteMessages waited for every batch of the call, so every Completion of it has run; with
		// per-message errors the runs hold just the batches that succeeded, whose messages have a nil error.
		// Any other error (the context ended) reports every message failed: then nothing counts as written,
		// although batches may have been or may still be written.
		call.mu.Lock()
		written = call.written
		call.mu.Unlock()
	}
	if err == nil {
		return errs, written
	}
	if errs == nil {
		errs = make(ProduceErrors, len(msgs))
	}
	for k := range send {
		i := k
		if index != nil {
			i = index[k]
		}
		if perMessage {
			errs[i] = werr[k]
		} else {
			errs[i] = err
		}
	}
	if errs.Count() == 0 {
		return nil, written
	}
	return errs, written
}

// Close flushes nothing (Produce is synchronous) and releases the connections.
func (p *Producer) Close() error {
	err := p.w.Close()
	p.transport.CloseIdleConnections()
	return err
}

// ProduceErrors is the error of a Produce call that did not write every message: entry i is message i's
// error, nil when it was written.
type ProduceErrors []error

// Count is how many messages failed.
func (e ProduceErrors) Count() int {
	n := 0
	for _, err := range e {
		if err != nil {
			n++
		}
	}
	return n
}

func (e ProduceErrors) Error() string {
	for _, err := range e {
		if err != nil {
			return fmt.Sprintf("kafka: %d of %d messages not written: %v", e.Count(), len(e), err)
		}
	}
	return fmt.Sprintf("kafka: 0 of %d messages not written", len(e))
}

// Unwrap returns the distinct errors, so errors.Is(err, context.DeadlineExceeded) works on the whole.
func (e ProduceErrors) Unwrap() []error {
	var out []error
	seen := map[string]bool{}
	for _, err := range e {
		if err != nil && !seen[err.Error()] {
			seen[err.Error()] = true
			out = append(out, err)
		}
	}
	return out
}

// MessageErrors spreads the error of a Produce call over its n messages: the per-message errors of a
// ProduceErrors, or err for every message otherwise. It returns nil for a nil error.
func MessageErrors(err error, n int) []error {
	if err == nil {
		return nil
	}
	var pe ProduceErrors
	if errors.As(err, &pe) && len(pe) == n {
		return pe
	}
	out := make([]error, n)
	for i := range out {
		out[i] = err
	}
	return out
}

// TooLargeError is a message larger than kafka.producer.batch_bytes; it was not sent.
type TooLargeError struct {
	Size, Max int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("kafka: message of %d bytes exceeds kafka.producer.batch_bytes (%d)", e.Size, e.Max)
}

// messageSize is the size kafka-go compares with BatchBytes (Message.totalSize, which is unexported):
// the v0 message framing plus the v2 record headers.
func messageSize(m *kafkago.Message) int64 {
	n := int64(4 + 1 + 1 + 4 + len(m.Key) + 4 + len(m.Value) + 8)
	n += int64(varintLen(len(m.Headers)))
	for _, h := range m.Headers {
		n += int64(varintLen(len(h.Key)) + len(h.Key) + varintLen(len(h.Value)) + len(h.Value))
	}
	return n
}

// varintLen is the length of n as a zig-zag varint, the encoding of lengths in record batches.
func varintLen(n int) int {
	u := uint64(n) << 1
	if n < 0 {
		u = ^u
	}
	l := 1
	for u >= 0x80 {
		u >>= 7
		l++
	}
	return l
}
