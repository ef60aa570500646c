// Package metrics holds the processor's Prometheus metrics: one Metrics per Processor, registered with the
// registerer its process hands in.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Metrics are one processor's metrics.
type Metrics struct {
	EventsConsumed   *prometheus.CounterVec
	Lag              *prometheus.GaugeVec
	Watermark        *prometheus.GaugeVec
	Late             prometheus.Counter
	DeadLettered     *prometheus.CounterVec
	Duplicates       prometheus.Counter
	Repeats          prometheus.Counter
	FlushSeconds     prometheus.Histogram
	EndToEndSeconds  prometheus.Histogram
	ClickHouseErrors prometheus.Counter
	KafkaErrors      prometheus.Counter
}

// New registers the processor's metrics with reg; nil leaves them unregistered. A second New on the same
// registerer panics: two processors in one process need registries of their own.
func New(reg prometheus.Registerer) *Metrics {
	f := promauto.With(reg)
	return &Metrics{
		EventsConsumed: f.NewCounterVec(prometheus.CounterOpts{
			Name: "cxm_processor_events_consumed_total",
			Help: "Messages consumed and written (counted, repeats, duplicates, dead letters), by event type; type=\"undecodable\" for messages that are not events.",
		}, []string{"type"}),
		Lag: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "cxm_processor_lag_messages",
			Help: "Messages in the partition after the last one consumed.",
		}, []string{"partition"}),
		Watermark: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "cxm_processor_watermark_timestamp_seconds",
			Help: "Partition's event-time watermark (largest accepted event time) as written to ClickHouse, as a Unix time in seconds.",
		}, []string{"partition"}),
		Late: f.NewCounter(prometheus.CounterOpts{
			Name: "cxm_processor_late_events_total",
			Help: "Events older than the watermark minus processor.allowed_lateness (dead-lettered).",
		}),
		DeadLettered: f.NewCounterVec(prometheus.CounterOpts{
			Name: "cxm_processor_deadlettered_events_total",
			Help: "Messages sent to the dead-letter topic, by reason (late, undecodable).",
		}, []string{"reason"}),
		Duplicates: f.NewCounter(prometheus.CounterOpts{
			Name: "cxm_processor_duplicates_total",
			Help: "Events dropped because their id was seen within processor.dedupe_horizon.",
		}),
		Repeats: f.NewCounter(prometheus.CounterOpts{
			Name: "cxm_processor_repeats_total",
			Help: "Presses within processor.repeat_interval of the device's previous press (stored, not counted).",
		}),
		FlushSeconds: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "cxm_processor_flush_duration_seconds",
			Help:    "Time to write one flush to ClickHouse, retries included.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 14),
		}),
		EndToEndSeconds: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "cxm_processor_end_to_end_duration_seconds",
			Help:    "From an event's Kafka record time to ClickHouse acknowledging its figures.",
			Buckets: []float64{.05, .1, .2, .3, .4, .5, .6, .7, .8, .9, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 4, 5, 7.5, 10, 20, 30, 60},
		}),
		ClickHouseErrors: f.NewCounter(prometheus.CounterOpts{
			Name: "cxm_processor_clickhouse_errors_total",
			Help: "Failed ClickHouse statements (each is retried with back-off).",
		}),
		KafkaErrors: f.NewCounter(prometheus.CounterOpts{
			Name: "cxm_processor_kafka_errors_total",
			Help: "Failed fetches, dead-letter produces and offset commits.",
		}),
	}
}
