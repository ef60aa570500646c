// Package metrics holds the ingest's Prometheus metrics, shared by the API, the surveys, the assessment and
// the importer (all through package writer) so each outcome is counted once, under one name.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Outcomes of one event.
const (
	Accepted  = "accepted"
	Duplicate = "duplicate"
	Rejected  = "rejected"
	// Failed: valid, but Kafka did not confirm it (the client was told to retry).
	Failed = "failed"
)

// Metrics are one ingest's metrics. Build them once per registry: a second New on the same registerer
// panics, as a second registration of the same names is a programming error.
type Metrics struct {
	// Events counts events by type ("unknown" when unreadable) and outcome.
	Events *prometheus.CounterVec
	// RequestDuration times requests of the ingest's HTTP routes.
	RequestDuration *prometheus.HistogramVec
	// KafkaErrors counts failed produce calls, by topic kind (events, deadletter).
	KafkaErrors *prometheus.CounterVec
	// Refused counts refused requests by reason (unauthorized, forbidden, rate_limited, too_large, bad_request, unavailable).
	Refused *prometheus.CounterVec
	// SurveyMisuse counts survey answers kept with a misuse flag, by reason.
	SurveyMisuse *prometheus.CounterVec
}

// New registers the ingest's metrics with reg; a nil reg leaves them unregistered (tests that do not read them).
func New(reg prometheus.Registerer) *Metrics {
	f := promauto.With(reg)
	m := &Metrics{
		Events: f.NewCounterVec(prometheus.CounterOpts{
			Name: "cxm_ingest_events_total",
			Help: "Events received by the ingest, by event type and outcome (accepted, duplicate, rejected, failed).",
		}, []string{"type", "outcome"}),
		RequestDuration: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "cxm_ingest_request_duration_seconds",
			Help:    "Duration of ingest HTTP requests, by route and status code.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "code"}),
		KafkaErrors: f.NewCounterVec(prometheus.CounterOpts{
			Name: "cxm_ingest_kafka_errors_total",
			Help: "Produce calls to Kafka that failed, by topic (events, deadletter).",
		}, []string{"topic"}),
		Refused: f.NewCounterVec(prometheus.CounterOpts{
			Name: "cxm_ingest_refused_requests_total",
			Help: "Requests refused as a whole, by reason.",
		}, []string{"reason"}),
		SurveyMisuse: f.NewCounterVec(prometheus.CounterOpts{
			Name: "cxm_ingest_survey_misuse_total",
			Help: "Survey answers kept with a misuse flag (excluded from every KPI), by reason.",
		}, []string{"reason"}),
	}
	// The error series exist from the start at 0: an alert on rate() or increase() then sees the first
	// error, and a rule on the name finds it in a healthy process too.
	for _, topic := range []string{"events", "deadletter"} {
		m.KafkaErrors.WithLabelValues(topic)
	}
	return m
}
