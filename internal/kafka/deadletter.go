package kafka

import (
	"time"

	kafkago "github.com/segmentio/kafka-go"
)

// Headers of a dead-letter message. The value is the rejected payload exactly as received, so it can be
// fixed and replayed; everything CXM knows about the rejection travels in these headers.
const (
	HeaderReason     = "cxm-reason"      // why it was rejected, e.g. "must be between 0 and 10"
	HeaderSource     = "cxm-source"      // which stage rejected it: SourceIngest, SourceProcessor, SourceImport
	HeaderField      = "cxm-field"       // the offending field when known, e.g. "answers.nps"; absent otherwise
	HeaderRejectedAt = "cxm-rejected-at" // RFC 3339 UTC time with nanoseconds
)

// Sources of dead letters.
const (
	SourceIngest    = "ingest"
	SourceProcessor = "processor"
	SourceImport    = "import"
)

// DeadLetterMessage builds the dead-letter message for a rejected payload. It has no key, so dead letters
// spread over the topic's partitions; field may be empty when the reason is not about one field.
func DeadLetterMessage(payload []byte, reason, source, field string) kafkago.Message {
	return deadLetterAt(payload, reason, source, field, time.Now())
}

func deadLetterAt(payload []byte, reason, source, field string, at time.Time) kafkago.Message {
	h := make([]kafkago.Header, 0, 4)
	h = append(h,
		kafkago.Header{Key: HeaderReason, Value: []byte(reason)},
		kafkago.Header{Key: HeaderSource, Value: []byte(source)},
	)
	if field != "" {
		h = append(h, kafkago.Header{Key: HeaderField, Value: []byte(field)})
	}
	h = append(h, kafkago.Header{Key: HeaderRejectedAt, Value: []byte(at.UTC().Format(time.RFC3339Nano))})
	return kafkago.Message{Value: payload, Headers: h, Time: at}
}

// Header returns the value of the first header named key, and whether there was one.
func Header(m kafkago.Message, key string) (string, bool) {
	for _, h := range m.Headers {
		if h.Key == key {
			return string(h.Value), true
		}
	}
	return "", false
}
