package importer

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/ingest/metrics"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kafka"
)

// An agency's audit results, one visit per row (`cxm import audits`):
//
//	visit,location,time,template,auditor,auditor_role,employee,evidence,greet,smile,greet.comment,…
//
// location, time, template and auditor are required; visit (the agency's own visit id), auditor_role
// (mystery_shopper by default, or internal), employee and evidence (references separated by spaces) are
// optional. Every other column is an element id of some template, holding met / not_met / na (also
// 1 / 0 / n/a, yes / no, да / нет / н/п, + / -), or <element>.comment. A row answers the elements of its own
// template and leaves the others' cells empty. The event id is derived from location, template, time,
// auditor and visit, so importing a file twice counts each visit once.
var auditFixed = []string{"visit", "location", "time", "template", "auditor", "auditor_role", "employee", "evidence"}

var auditRequired = []string{"location", "time", "template", "auditor"}

func auditResult(s string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "met", "1", "yes", "y", "да", "+", "true":
		return event.ResultMet, true
	case "not_met", "not met", "0", "no", "n", "нет", "-", "false":
		return event.ResultNotMet, true
	case "na", "n/a", "н/п", "нп", "не применимо", "not applicable":
		return event.ResultNA, true
	}
	return "", false
}

func runAudits(ctx context.Context, r io.Reader, o Options) (Summary, error) {
	var sum Summary
	cr := &countingReader{r: r}
	cv := csv.NewReader(cr)
	cv.FieldsPerRecord = -1
	cv.TrimLeadingSpace = true
	header, err := cv.Read()
	if err != nil {
		return sum, fmt.Errorf("line 1: reading the header: %w", err)
	}
	elements := o.Rules.AuditElementIDs()
	col := map[string]int{}
	var elementCols []string // in header order
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		base, isComment := strings.CutSuffix(h, ".comment")
		switch {
		case slices.Contains(auditFixed, strings.ToLower(h)):
			h = strings.ToLower(h)
		case elements[base] && !isComment:
			elementCols = append(elementCols, h)
		case elements[base]:
		default:
			return sum, fmt.Errorf("line 1: unknown column %q: neither one of %s nor an element id of audits.templates (or <element>.comment)",
				h, strings.Join(auditFixed, ","))
		}
		if _, dup := col[h]; dup {
			return sum, fmt.Errorf("line 1: column %q appears twice", h)
		}
		col[h] = i
	}
	for _, req := range auditRequired {
		if _, ok := col[req]; !ok {
			return sum, fmt.Errorf("line 1: missing column %q; the header must name %s", req, strings.Join(auditRequired, ","))
		}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
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
			o.Writer.Count(string(event.TypeAudit), metrics.Accepted, len(batch))
		}
		batch, dead = batch[:0], dead[:0]
		if o.Progress != nil {
			o.Progress(Progress{Rows: sum.Rows, Bytes: cr.n})
		}
		return nil
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
		e, errs := o.buildAudit(func(n string) string { return get(rec, n) }, elementCols)
		if errs == nil {
			errs = o.Rules.Check(&e, o.Now())
		}
		if errs != nil {
			sum.Rejected++
			for _, fe := range errs {
				sum.Errors = append(sum.Errors, RowError{Line: line, Field: csvColumn(fe.Field, e.Audit), Reason: fe.Reason})
			}
			if o.Writer != nil {
				o.Writer.Count(string(event.TypeAudit), metrics.Rejected, 1)
			}
			dead = append(dead, kafka.DeadLetterMessage([]byte(strings.Join(rec, ",")),
				fmt.Sprintf("line %d: %s", line, errs.Error()), kafka.SourceImport, errs[0].Field))
		} else if seen[e.ID] {
			sum.Duplicates++
		} else {
			seen[e.ID] = true
			batch = append(batch, kafkago.Message{Key: []byte(e.Location), Value: e.AppendJSON(nil), Time: o.Now()})
		}
		if len(batch) >= o.BatchSize {
			if err := flush(); err != nil {
				return sum, err
			}
		}
	}
	return sum, flush()
}

// buildAudit turns a row into an audit event; problems of single cells come back naming their column.
func (o *Options) buildAudit(get func(string) string, elementCols []string) (event.Event, event.Errors) {
	var errs event.Errors
	e := event.Event{Type: event.TypeAudit, Location: get("location")}
	at, err := parseTime(get("time"), o.Rules, e.Location)
	if err != nil {
		errs = append(errs, event.FieldError{Field: "time", Reason: err.Error()})
	}
	e.Time = at
	role := get("auditor_role")
	if role == "" {
		role = event.AuditorMysteryShopper
	}
	a := &event.Audit{Template: get("template"), Auditor: event.Auditor{Role: role, ID: get("auditor")}, Employee: get("employee")}
	if ev := get("evidence"); ev != "" {
		a.Evidence = strings.Fields(ev)
	}
	t := o.Rules.AuditTemplate(a.Template)
	for _, c := range elementCols {
		cell := get(c)
		if cell == "" {
			continue
		}
		res, ok := auditResult(cell)
		if !ok {
			errs = append(errs, event.FieldError{Field: c, Reason: "must be met, not_met or na (1/0/n/a, yes/no, да/нет/н/п), not " + strconv.Quote(cell)})
			continue
		}
		if t != nil {
			if el, _ := t.Element(c); el == nil {
				errs = append(errs, event.FieldError{Field: c, Reason: "not an element of template " + strconv.Quote(a.Template) + ": leave it empty"})
				continue
			}
		}
		a.Elements = append(a.Elements, event.AuditResult{Element: c, Result: res, Comment: get(c + ".comment")})
	}
	e.Audit = a
	e.ID = deriveID("audit", e.Location, a.Template, e.Time.UTC().Format("20060102T150405Z"), a.Auditor.ID, get("visit"))
	for _, fe := range e.Validate() {
		if !errs.Has(fe.Field) && fe.Field != "id" {
			errs = append(errs, fe)
		}
	}
	return e, errs
}

// csvColumn names the CSV column of an event error field.
func csvColumn(field string, a *event.Audit) string {
	switch field {
	case "audit.template":
		return "template"
	case "audit.auditor.id":
		return "auditor"
	case "audit.auditor.role":
		return "auditor_role"
	case "audit.employee":
		return "employee"
	case "audit.elements":
		return "elements"
	}
	if strings.HasPrefix(field, "audit.evidence") {
		return "evidence"
	}
	if rest, ok := strings.CutPrefix(field, "audit.elements."); ok && a != nil {
		idx, sub, _ := strings.Cut(rest, ".")
		if i, err := strconv.Atoi(idx); err == nil && i < len(a.Elements) {
			if sub == "comment" {
				return a.Elements[i].Element + ".comment"
			}
			return a.Elements[i].Element
		}
	}
	return field
}
