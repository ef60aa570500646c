// Package api is the event API: POST /v1/events.
package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/ingest/dedupe"
	"github.com/cxm-project/cxm/ingest/metrics"
	"github.com/cxm-project/cxm/ingest/rules"
	"github.com/cxm-project/cxm/ingest/writer"
	"github.com/cxm-project/cxm/internal/auth"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kafka"
	"github.com/cxm-project/cxm/internal/ratelimit"
)

// Events serves POST /v1/events.
type Events struct {
	cfg     config.Ingest
	tokens  *auth.Set
	limiter *ratelimit.Limiter
	seen    *dedupe.Set
	rules   *rules.Rules
	out     *writer.Writer
	log     *slog.Logger
	now     func() time.Time
}

// Options are what the handler needs; Now defaults to time.Now.
type Options struct {
	Config  *config.Config
	Tokens  *auth.Set
	Limiter *ratelimit.Limiter
	Rules   *rules.Rules
	Writer  *writer.Writer // produces, dead-letters, marks ids in its dedupe set and counts
	Log     *slog.Logger
	Now     func() time.Time
}

// NewEvents returns the handler.
func NewEvents(o Options) *Events {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Events{cfg: o.Config.Ingest, tokens: o.Tokens, limiter: o.Limiter, seen: o.Writer.Seen(), rules: o.Rules,
		out: o.Writer, log: o.Log, now: o.Now}
}

// Statuses of one event in the answer.
const (
	statusAccepted  = 1
	statusDuplicate = 2
	statusRejected  = 3
)

// item is one event of a request and its outcome.
type item struct {
	raw    []byte
	ev     event.Event
	status uint8
	errs   event.Errors
	forbid bool       // rejected only because the token may not write the location
	key    dedupe.Key // the id's key in the dedupe set, hashed once per event
	start  int        // canonical JSON in the request's value buffer: [start, end)
	end    int
}

// request holds a request's buffers; pooled, since a 1,000-event request would otherwise allocate
// a megabyte or two each time.
type request struct {
	body   bytes.Buffer
	spans  [][]byte
	items  []item
	values []byte
	locs   []byte // the messages' keys (locations), end to end
	msgs   []kafkago.Message
	out    []byte
	keys   []dedupe.Key // of the valid events, in order
	seen   []bool       // per key: in the dedupe set already
	ids    keySet       // the ids accepted so far
	added  []dedupe.Key // ids Kafka confirmed
	failed []dedupe.Key // ids whose write failed
	counts []outcomes   // events per type and outcome, for the metrics
}

// outcomes counts one event type's outcomes in a request, so the metrics are updated once per type rather
// than once per event.
type outcomes struct {
	typ                                   string
	accepted, failed, duplicate, rejected int
}

func (rq *request) count(typ string) *outcomes {
	for i := range rq.counts {
		if rq.counts[i].typ == typ {
			return &rq.counts[i]
		}
	}
	rq.counts = append(rq.counts, outcomes{typ: typ})
	return &rq.counts[len(rq.counts)-1]
}

var requests = sync.Pool{New: func() any { return new(request) }}

func (rq *request) reset() {
	if rq.body.Cap() > 16<<20 {
		rq.body = bytes.Buffer{}
	}
	rq.body.Reset()
	rq.spans = rq.spans[:0]
	clear(rq.items)
	rq.items = rq.items[:0]
	rq.values = rq.values[:0]
	rq.locs = rq.locs[:0]
	clear(rq.msgs)
	rq.msgs = rq.msgs[:0]
	rq.out = rq.out[:0]
	rq.keys = rq.keys[:0]
	rq.seen = rq.seen[:0]
	rq.added = rq.added[:0]
	clear(rq.failed)
	rq.failed = rq.failed[:0]
	rq.counts = rq.counts[:0]
}

func (h *Events) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	code := h.serve(w, r)
	h.out.Metrics().RequestDuration.WithLabelValues("/v1/events", strconv.Itoa(code)).Observe(time.Since(start).Seconds())
}

func (h *Events) serve(w http.ResponseWriter, r *http.Request) int {
	tok, err := h.tokens.Authenticate(r)
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="cxm-ingest"`)
		return h.refuse(w, &httpError{http.StatusUnauthorized, "unauthorized", err.Error()})
	}
	rq := requests.Get().(*request)
	reuse := true
	defer func() {
		if reuse {
			rq.reset()
			requests.Put(rq)
		}
	}()

	if he := h.precheck(w, r, tok); he != nil {
		return h.refuse(w, he)
	}
	if err := readBody(w, r, h.cfg.MaxBodyBytes, &rq.body); err != nil {
		return h.refuse(w, err)
	}
	h.charge(r, tok, rq.body.Len())
	spans, err := split(rq.body.Bytes(), isNDJSON(r.Header.Get("Content-Type")), h.cfg.MaxEvents, rq.spans)
	if err != nil {
		return h.refuse(w, err)
	}
	rq.spans = spans
	switch n := len(spans); {
	case n == 0:
		return h.refuse(w, badRequest("no events in the body: send one JSON object, a JSON array or NDJSON"))
	case n > h.cfg.MaxEvents:
		return h.refuse(w, tooLarge("more than ingest.max_events (%d) events in one request", h.cfg.MaxEvents))
	}
	if ok, wait := h.limiter.Take(tok.Name, tok.Rate, tok.Burst, len(spans), h.now()); !ok {
		w.Header().Set("Retry-After", seconds(wait))
		return h.refuse(w, &httpError{http.StatusTooManyRequests, "rate_limited",
			"token " + strconv.Quote(tok.Name) + " is over its rate limit of " + strconv.FormatFloat(tok.Rate, 'f', -1, 64) +
				" events/s (burst " + strconv.Itoa(tok.Burst) + "); retry after " + seconds(wait) + " s"})
	}

	received := h.now()
	h.check(rq, tok, received)

	if forbidden := h.allForbidden(rq); forbidden != nil {
		return h.refuse(w, forbidden)
	}

	headers := h.out.Headers() // the origin, so this instance's tailer knows them as its own
	for i := range rq.items {
		if rq.items[i].status == statusAccepted {
			rq.locs = append(rq.locs, rq.items[i].ev.Location...)
		}
	}
	// The keys are sliced out only now that rq.locs has stopped growing (an append could move it).
	keys := rq.locs
	for i := range rq.items {
		if it := &rq.items[i]; it.status == statusAccepted {
			n := len(it.ev.Location)
			rq.msgs = append(rq.msgs, kafkago.Message{
				Key:     keys[:n:n],
				Value:   rq.values[it.start:it.end],
				Headers: headers,
				Time:    received,
			})
			keys = keys[n:]
		}
	}
	abandoned, err := h.produce(r.Context(), rq, received)
	if abandoned {
		// kafka-go gave up waiting but may still send the messages, which point into the request's buffers:
		// they must not be reused for another request.
		reuse = false
	}
	if err != nil {
		w.Header().Set("Retry-After", seconds(h.cfg.RetryAfter))
		return h.refuse(w, &httpError{http.StatusServiceUnavailable, "unavailable",
			"Kafka did not confirm the events, nothing of this request is acknowledged: retry the same request later (ids make it safe): " + err.Error()})
	}
	rq.out = appendResults(rq.out, rq.items)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(rq.out)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(rq.out)
	return http.StatusOK
}

// check decides every event's outcome except Kafka's part and writes the canonical JSON of those to send.
func (h *Events) check(rq *request, tok *auth.Token, now time.Time) {
	if cap(rq.items) < len(rq.spans) {
		rq.items = make([]item, len(rq.spans))
	}
	rq.items = rq.items[:len(rq.spans)]
	// Valid events, then their ids looked up in the set all at once (see dedupe.Set.SeenKeys), then the
	// outcomes in order.
	for i, raw := range rq.spans {
		it := &rq.items[i]
		it.raw = raw
		if len(raw) > h.cfg.MaxEventBytes {
			it.status = statusRejected
			it.errs = event.Errors{{Reason: "event is " + strconv.Itoa(len(raw)) + " bytes, larger than ingest.max_event_bytes (" + strconv.Itoa(h.cfg.MaxEventBytes) + ")"}}
			continue
		}
		var errs event.Errors
		it.ev, errs = event.Parse(raw)
		ev := &it.ev
		if errs == nil {
			errs = h.rules.Check(ev, now)
			if errs == nil && !tok.Allows(ev.Location) {
				errs = event.Errors{{Field: "location", Reason: "token " + strconv.Quote(tok.Name) + " may not write location " + strconv.Quote(ev.Location)}}
				it.forbid = true
			}
		}
		if errs != nil {
			it.status, it.errs = statusRejected, errs
			continue
		}
		it.key = h.seen.Key(ev.Location, ev.ID)
		it.status = statusAccepted // unless a duplicate, below
		rq.keys = append(rq.keys, it.key)
	}
	if cap(rq.seen) < len(rq.keys) {
		rq.seen = make([]bool, len(rq.keys))
	}
	rq.seen = rq.seen[:len(rq.keys)]
	h.seen.SeenKeys(rq.keys, now, rq.seen)
	rq.ids.reset(len(rq.keys))
	k := 0
	for i := range rq.items {
		it := &rq.items[i]
		if it.status != statusAccepted {
			continue
		}
		seen := rq.seen[k]
		k++
		if seen || !rq.ids.add(it.key) {
			it.status = statusDuplicate
			continue
		}
		it.start = len(rq.values)
		rq.values = it.ev.AppendJSON(rq.values)
		it.end = len(rq.values)
	}
}

// keySet is a set of the ids of one request: open addressing over the keys, which are hashes already.
type keySet struct {
	slots []dedupe.Key
	used  []bool
	mask  uint64
}

// reset empties the set, sized for n keys.
func (s *keySet) reset(n int) {
	size := 16
	for size < 2*n {
		size *= 2
	}
	if cap(s.slots) < size {
		s.slots, s.used = make([]dedupe.Key, size), make([]bool, size)
	}
	s.slots, s.used = s.slots[:size], s.used[:size]
	clear(s.used)
	s.mask = uint64(size - 1)
}

// add adds k; false if it was there already.
func (s *keySet) add(k dedupe.Key) bool {
	for i := k.Slot() & s.mask; ; i = (i + 1) & s.mask {
		if !s.used[i] {
			s.slots[i], s.used[i] = k, true
			return true
		}
		if s.slots[i] == k {
			return false
		}
	}
}

// allForbidden refuses the request with 403 when every event names a location the token may not write: such
// a request is a misconfigured device or a wrong token, not data to dead-letter event by event.
func (h *Events) allForbidden(rq *request) *httpError {
	locs := map[string]bool{}
	for i := range rq.items {
		if !rq.items[i].forbid {
			return nil
		}
		locs[rq.items[i].ev.Location] = true
	}
	names := make([]string, 0, len(locs))
	for l := range locs {
		names = append(names, strconv.Quote(l))
	}
	sort.Strings(names)
	return &httpError{http.StatusForbidden, "forbidden", "this token may not write location " + strings.Join(names, ", ")}
}

// produce writes the accepted events and, alongside, the rejected ones to the dead-letter topic (see
// writer.Writer.Write), and returns once Kafka acknowledged the accepted ones. Only then are their ids
// remembered as seen, so a request that failed can be retried as it is. abandoned reports that the timeout
// ended a write kafka-go may still be sending.
func (h *Events) produce(parent context.Context, rq *request, received time.Time) (abandoned bool, err error) {
	var dead []kafkago.Message
	for i := range rq.items {
		if it := &rq.items[i]; it.status == statusRejected {
			field := ""
			if len(it.errs) > 0 {
				field = it.errs[0].Field
			}
			dead = append(dead, kafka.DeadLetterMessage(it.raw, it.errs.Error(), kafka.SourceIngest, field))
		}
	}
	abandoned, err = h.out.Write(parent, rq.msgs, dead)

	perMsg := kafka.MessageErrors(err, len(rq.msgs))
	k := 0
	for i := range rq.items {
		it := &rq.items[i]
		typ := string(it.ev.Type)
		if typ == "" {
			typ = "unknown"
		}
		c := rq.count(typ)
		switch it.status {
		case statusAccepted:
			if perMsg != nil && perMsg[k] != nil {
				rq.failed = append(rq.failed, it.key)
				c.failed++
			} else {
				// Also when the request as a whole failed: this one is in Kafka, so the retry finds it a duplicate.
				rq.added = append(rq.added, it.key)
				c.accepted++
			}
			k++
		case statusDuplicate:
			if err == nil {
				c.duplicate++
			}
		case statusRejected:
			c.rejected++
		}
	}
	// A failed write may still land (a timeout, a lost acknowledgement): the tailer learns those ids then.
	h.out.Mark(rq.added, rq.failed, received)
	for _, c := range rq.counts {
		for _, o := range [...]struct {
			label string
			n     int
		}{{metrics.Accepted, c.accepted}, {metrics.Failed, c.failed}, {metrics.Duplicate, c.duplicate}, {metrics.Rejected, c.rejected}} {
			h.out.Count(c.typ, o.label, o.n)
		}
	}
	if err != nil {
		h.log.Warn("events not confirmed by Kafka, answering 503", "events", len(rq.msgs), "err", err)
	}
	return abandoned, err
}

func (h *Events) refuse(w http.ResponseWriter, err error) int {
	var he *httpError
	if !errors.As(err, &he) {
		he = &httpError{http.StatusInternalServerError, "internal", err.Error()}
	}
	h.out.Metrics().Refused.WithLabelValues(he.reason).Inc()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(he.code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": he.msg})
	return he.code
}

// seconds is a Retry-After value: whole seconds, rounded up, at least 1.
func seconds(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	return strconv.FormatInt(max(s, 1), 10)
}
