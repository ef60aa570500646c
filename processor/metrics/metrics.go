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
	// MissingOffsets counts offsets absent from a partition when read, by partition.
	MissingOffsets *prometheus.CounterVec
	// FutureRecordTimes counts records whose Kafka time was not trusted (too far ahead).
	FutureRecordTimes prometheus.Counter
	// ReaderRestarts counts partition readers reopened after delivering nothing while messages waited.
	ReaderRestarts prometheus.Counter
	// LeaseExpired counts generations ended because the lease ran out before a write (fencing).
	LeaseExpired prometheus.Counter
	// LeaseRemaining is the time left to write under the current lease.
	LeaseRemaining prometheus.Gauge
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
		ReaderRestarts: f.NewCounter(prometheus.CounterOpts{
			Name: "cxm_processor_reader_restarts_total",
			Help: "Partition readers reopened because they delivered nothing for processor.reader_stall_timeout while their partition held messages beyond the next offset.",
		}),
		LeaseExpired: f.NewCounter(prometheus.CounterOpts{
			Name: "cxm_processor_lease_expired_total",
			Help: "Generations this processor ended because its lease ran out before a write: its heartbeats went unanswered (paused, or cut off from the group coordinator), so another member may own its partitions.",
		}),
		LeaseRemaining: f.NewGauge(prometheus.GaugeOpts{
			Name: "cxm_processor_lease_remaining_seconds",
			Help: "Time left before which this processor's writes must end (its lease less processor.fence_margin); 0 when it holds no partitions.",
		}),
		MissingOffsets: f.NewCounterVec(prometheus.CounterOpts{
			Name: "cxm_processor_missing_offsets_total",
			Help: "Offsets absent from the partition when read (deleted by retention before they were processed, or a compacted topic): their events are lost.",
		}, []string{"partition"}),
		FutureRecordTimes: f.NewCounter(prometheus.CounterOpts{
			Name: "cxm_processor_future_record_times_total",
			Help: "Messages whose Kafka record time lay more than processor.max_future_skew ahead of the processor's clock: counted as received at the partition's clock.",
		}),
	}
}
