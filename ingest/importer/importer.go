// Package importer loads POS receipts and people-counter readings from CSV files (`cxm import`).
//
// It writes straight to the Kafka events topic with the producer, not through the HTTP API: the importer is
// run by the operator with the cluster's config, so it is trusted like the ingest itself, and a bulk load
// should not spend the devices' rate limit. Each row's event id is derived from the row's identity (receipt
// number and location; counter location, device and time), so importing the same file twice writes the same
// ids and the processor's dedupe counts each once.
package importer

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/ingest/metrics"
	"github.com/cxm-project/cxm/ingest/rules"
	"github.com/cxm-project/cxm/ingest/writer"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kafka"
)

// Kinds of import and their columns: required first, then optional.
var formats = map[string]struct{ required, optional []string }{
	"receipts": {[]string{"location", "receipt", "time", "amount", "items"}, []string{"currency", "seller", "refund", "device"}},
	"counters": {[]string{"location", "device", "time", "in", "out"}, nil},
}

// Kinds lists the import kinds.
func Kinds() []string { return []string{"receipts", "counters", "audits"} }

// Options configure one import.
type Options struct {
	Kind      string
	Rules     *rules.Rules
	Writer    *writer.Writer // nil only with DryRun
	BatchSize int
	DryRun    bool // validate only
	Progress  func(Progress)
	Now       func() time.Time
}

// Progress is reported after every batch.
type Progress struct {
	Rows  int
	Bytes int64 // of the input read so far
}

// RowError is one rejected row's problem.
type RowError struct {
	Line   int
	Field  string
	Reason string
}

func (e RowError) String() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Reason)
}

// Summary is the outcome of an import.
type Summary struct {
	Rows       int // data rows read
	Written    int // acknowledged by Kafka (or valid, in a dry run)
	Duplicates int // same id as an earlier row of the file
	Rejected   int // rows with errors
	Errors     []RowError
}

// countingReader counts the bytes the CSV reader consumed, for the progress bar.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Run imports r. It returns an error for a bad header or when Kafka fails; rejected rows are in the summary.
// Rows before a Kafka failure that were acknowledged stay written, and re-running the file is safe.
func Run(ctx context.Context, r io.Reader, o Options) (Summary, error) {
	var sum Summary
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.BatchSize < 1 {
		o.BatchSize = 1000
	}
	if o.Kind == "audits" {
		return runAudits(ctx, r, o) // audits.go: one column per checklist element
	}
	f, ok := formats[o.Kind]
	if !ok {
		return sum, fmt.Errorf("unknown import kind %q: receipts, counters or audits", o.Kind)
	}
	cr := &countingReader{r: r}
	cv := csv.NewReader(cr)
	cv.FieldsPerRecord = -1
	cv.TrimLeadingSpace = true
	cv.ReuseRecord = true
	header, err := cv.Read()
	if err != nil {
		return sum, fmt.Errorf("line 1: reading the header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !contains(f.required, h) && !contains(f.optional, h) {
			return sum, fmt.Errorf("line 1: unknown column %q; %s columns are %s (required) and %s (optional)",
				h, o.Kind, strings.Join(f.required, ","), strings.Join(f.optional, ","))
		}
		if _, dup := col[h]; dup {
			return sum, fmt.Errorf("line 1: column %q appears twice", h)
		}
		col[h] = i
	}
	for _, req := range f.required {
		if _, ok := col[req]; !ok {
			return sum, fmt.Errorf("line 1: missing column %q; the header must name %s", req, strings.Join(f.required, ","))
		}
	}

	seen := map[string]bool{}
	var batch, dead []kafkago.Message
	flush := func() error {
		if o.DryRun {
			sum.Written += len(batch)
		} else if len(batch) > 0 || len(dead) > 0 {
			if _, err := o.Writer.Write(ctx, batch, dead); err != nil {
				return fmt.Errorf("kafka: %w (%d rows were written before; re-running the file is safe)", err, sum.Written)
			}
			sum.Written += len(batch)
			o.Writer.Count(typeOf(o.Kind), metrics.Accepted, len(batch))
		}
		batch, dead = batch[:0], dead[:0]
		if o.Progress != nil {
			o.Progress(Progress{Rows: sum.Rows, Bytes: cr.n})
		}
		return nil
	}
	count := func(outcome string) {
		if o.Writer != nil {
			o.Writer.Count(typeOf(o.Kind), outcome, 1)
		}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	for {
		rec, err := cv.Read()
		if err == io.EOF {
			break
		}
		line, _ := cv.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				sum.Rows++
				sum.Rejected++
				sum.Errors = append(sum.Errors, RowError{Line: pe.Line, Reason: pe.Err.Error()})
				continue
			}
			return sum, err
		}
		sum.Rows++
		now := o.Now()
		ev, errs := build(o.Kind, func(n string) string { return get(rec, n) }, o.Rules)
		// The contract's own checks too, so one pass reports every problem of the row.
		for _, e := range ev.Validate() {
			if !errs.Has(e.Field) && e.Field != "id" {
				errs = append(errs, e)
			}
		}
		if errs == nil {
			errs = o.Rules.Check(&ev, now)
		}
		if errs != nil {
			sum.Rejected++
			for _, e := range errs {
				sum.Errors = append(sum.Errors, RowError{Line: line, Field: e.Field, Reason: e.Reason})
			}
			count(metrics.Rejected)
			dead = append(dead, kafka.DeadLetterMessage([]byte(strings.Join(rec, ",")),
				fmt.Sprintf("line %d: %s", line, errs.Error()), kafka.SourceImport, errs[0].Field))
		} else if seen[ev.Location+"\x00"+ev.ID] { // ids are unique per location
			sum.Duplicates++
			count(metrics.Duplicate)
		} else {
			seen[ev.Location+"\x00"+ev.ID] = true
			batch = append(batch, kafkago.Message{Key: []byte(ev.Location), Value: ev.AppendJSON(nil), Time: now})
		}
		if len(batch) >= o.BatchSize {
			if err := flush(); err != nil {
				return sum, err
			}
		}
	}
	return sum, flush()
}

func typeOf(kind string) string {
	if kind == "counters" {
		return string(event.TypeCounter)
	}
	return string(event.TypePOS)
}

// build turns a row into an event; column-level problems come back as field errors.
func build(kind string, get func(string) string, r *rules.Rules) (event.Event, event.Errors) {
	var errs event.Errors
	e := event.Event{Location: get("location"), Device: get("device")}
	at, err := parseTime(get("time"), r, e.Location)
	if err != nil {
		errs = append(errs, event.FieldError{Field: "time", Reason: err.Error()})
	}
	e.Time = at
	integer := func(name string, dst *int64) {
		v, err := strconv.ParseInt(get(name), 10, 64)
		if err != nil {
			errs = append(errs, event.FieldError{Field: name, Reason: "must be a whole number, not " + strconv.Quote(get(name))})
		}
		*dst = v
	}
	switch kind {
	case "receipts":
		e.Type = event.TypePOS
		e.Receipt = get("receipt")
		e.Currency = get("currency")
		e.Seller = get("seller")
		// Spreadsheets in Russian locales write "1249,90".
		amount, err := event.ParseAmount(strings.Replace(get("amount"), ",", ".", 1))
		if err != nil {
			errs = append(errs, event.FieldError{Field: "amount", Reason: err.Error()})
		}
		e.Amount = amount
		var items int64
		integer("items", &items)
		e.Items = int(items)
		switch strings.ToLower(get("refund")) {
		case "", "0", "false", "no", "нет":
		case "1", "true", "yes", "да":
			e.Refund = true
		default:
			errs = append(errs, event.FieldError{Field: "refund", Reason: "must be true/false, 1/0, yes/no or empty, not " + strconv.Quote(get("refund"))})
		}
		e.ID = deriveID("pos", e.Location, e.Receipt, refundSuffix(e.Refund))
	case "counters":
		e.Type = event.TypeCounter
		integer("in", &e.In)
		integer("out", &e.Out)
		e.ID = deriveID("counter", e.Location, e.Device, e.Time.UTC().Format(time.RFC3339Nano))
	}
	if errs != nil {
		return e, errs
	}
	return e, nil
}

func refundSuffix(refund bool) string {
	if refund {
		return "refund"
	}
	return ""
}

// deriveID joins the row's identity, e.g. "pos:shop-1:R-123" or "pos:shop-1:R-123:refund" (a refund
// carries its sale's receipt number). Ids longer than the contract's 128 characters become a SHA-256 of the
// same parts, still stable across runs.
func deriveID(prefix string, parts ...string) string {
	id := prefix
	for _, p := range parts {
		if p != "" {
			id += ":" + p
		}
	}
	if len([]rune(id)) <= event.MaxIDLen {
		return id
	}
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return prefix + ":sha256:" + hex.EncodeToString(sum[:20])
}

// parseTime reads RFC 3339, or a local "2006-01-02 15:04:05" in the location's registered time zone.
func parseTime(s string, r *rules.Rules, location string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	tz := time.UTC
	if l := r.Location(location); l != nil && l.TimeZone != "" {
		if z, err := time.LoadLocation(l.TimeZone); err == nil {
			tz = z
		}
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, tz); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("must be RFC 3339 (2026-05-01T12:00:00+03:00) or local YYYY-MM-DD HH:MM[:SS], not %q", s)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
