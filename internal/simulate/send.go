package simulate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/retry"
)

// Sender posts events to the ingest API as NDJSON, retrying the same body until it is answered: event ids
// make a retry idempotent, so a broker outage delays the simulation but never loses or doubles an event.
type Sender struct {
	URL    string // ingest base URL, e.g. http://127.0.0.1:8080
	Token  string
	Client *http.Client
	Log    *slog.Logger
}

// Outcome is the ingest's per-request summary.
type Outcome struct {
	Accepted   int `json:"accepted"`
	Duplicates int `json:"duplicates"`
	Rejected   int `json:"rejected"`
}

// Send posts one batch and returns the ingest's counts; it retries on 429, 5xx and connection errors until
// ctx ends.
func (s *Sender) Send(ctx context.Context, events []event.Event) (Outcome, error) {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	for i := range events {
		if err := enc.Encode(&events[i]); err != nil {
			return Outcome{}, fmt.Errorf("encode event %s: %w", events[i].ID, err)
		}
	}
	b := retry.New(200*time.Millisecond, 10*time.Second)
	for {
		out, retryAfter, err := s.post(ctx, body.Bytes())
		if err == nil {
			return out, nil
		}
		if ctx.Err() != nil {
			return Outcome{}, ctx.Err()
		}
		wait := max(b.Next(), retryAfter)
		s.Log.Warn("ingest not accepting, retrying", "err", err, "in", wait)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return Outcome{}, ctx.Err()
		}
	}
}

func (s *Sender) post(ctx context.Context, body []byte) (Outcome, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/v1/events", bytes.NewReader(body))
	if err != nil {
		return Outcome{}, 0, err
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Authorization", "Bearer "+s.Token)
	resp, err := s.Client.Do(req)
	if err != nil {
		return Outcome{}, 0, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return Outcome{}, time.Duration(secs) * time.Second, fmt.Errorf("ingest answered %s", resp.Status)
	}
	if resp.StatusCode != http.StatusOK {
		// A 4xx other than 429 will not get better by retrying: the simulator or its config is wrong.
		return Outcome{}, 0, &permanentError{fmt.Sprintf("ingest answered %s: %s", resp.Status, bytes.TrimSpace(raw))}
	}
	var out Outcome
	if err := json.Unmarshal(raw, &out); err != nil {
		return Outcome{}, 0, fmt.Errorf("ingest answer: %w", err)
	}
	return out, 0, nil
}

type permanentError struct{ msg string }

func (e *permanentError) Error() string { return e.msg }

// Run generates and sends a tick every interval of real time until ctx ends. speed scales simulated time.
func Run(ctx context.Context, g *Generator, s *Sender, interval time.Duration, speed float64) error {
	simNow := time.Now()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	var total Outcome
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			s.Log.Info("simulation stopped", "accepted", total.Accepted, "duplicates", total.Duplicates, "rejected", total.Rejected)
			return nil
		case <-tick.C:
		}
		next := simNow.Add(time.Duration(float64(interval) * speed))
		events := g.Tick(simNow, next)
		simNow = next
		out, err := s.Send(ctx, events)
		if err != nil {
			if _, ok := err.(*permanentError); ok {
				return err
			}
			continue // ctx ended
		}
		total.Accepted += out.Accepted
		total.Duplicates += out.Duplicates
		total.Rejected += out.Rejected
		if time.Since(last) >= 30*time.Second {
			s.Log.Info("simulating", "accepted", total.Accepted, "duplicates", total.Duplicates, "rejected", total.Rejected)
			last = time.Now()
		}
	}
}

// Backfill sends the stores' traffic of [from, to) at once, so dashboards have history the moment a demo
// starts. Each simulated minute has its own seed and id prefix, so a re-run sends the same events with the
// same ids and the pipeline's dedupe keeps every figure as it was.
func Backfill(ctx context.Context, profiles []*Profile, s *Sender, from, to time.Time, batch int) (Outcome, error) {
	var total Outcome
	var pending []event.Event
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		out, err := s.Send(ctx, pending)
		if err != nil {
			return err
		}
		total.Accepted += out.Accepted
		total.Duplicates += out.Duplicates
		total.Rejected += out.Rejected
		pending = pending[:0]
		return nil
	}
	for m := from.Truncate(time.Minute); m.Before(to); m = m.Add(time.Minute) {
		g := NewGenerator(profiles, uint64(m.Unix()), "bf"+strconv.FormatInt(m.Unix(), 36), DefaultDefects)
		pending = append(pending, g.Tick(m, m.Add(time.Minute))...)
		if len(pending) >= batch {
			if err := flush(); err != nil {
				return total, err
			}
		}
	}
	return total, flush()
}
