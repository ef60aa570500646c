package api

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/cxm-project/cxm/internal/query"
)

// eventJSON is one line of format=ndjson (schemas/openapi.yaml, Event).
type eventJSON struct {
	ID          string          `json:"id"`
	Type        string          `json:"type"`
	Location    string          `json:"location"`
	Device      string          `json:"device"`
	Time        time.Time       `json:"time"`
	Kind        string          `json:"kind"`
	Value       uint8           `json:"value"`
	Scale       uint8           `json:"scale"`
	Subject     string          `json:"subject"`
	In          uint32          `json:"in"`
	Out         uint32          `json:"out"`
	Receipt     string          `json:"receipt"`
	AmountCents int64           `json:"amount_cents"`
	Items       int32           `json:"items"`
	Currency    string          `json:"currency"`
	Seller      string          `json:"seller"`
	Refund      bool            `json:"refund"`
	Survey      string          `json:"survey"`
	NPS         *uint8          `json:"nps"`
	CSAT        *uint8          `json:"csat"`
	CES         *uint8          `json:"ces"`
	Comment     string          `json:"comment"`
	Q           [11]uint8       `json:"q"`
	Ext         json.RawMessage `json:"ext"`
	Repeat      bool            `json:"repeat"`
	Received    time.Time       `json:"received"`
	Misuse      string          `json:"misuse,omitempty"`
	Answers     json.RawMessage `json:"answers,omitempty"` // configured questionnaire answers (contract v2)
}

// maxSheetRows is Excel's row limit per sheet (1,048,576) less the header: a longer export continues on
// the next sheet.
const maxSheetRows = 1<<20 - 1

// events serves GET /v1/events: the raw accepted events, streamed row by row so memory stays constant
// however large the range (XLSX rows go through excelize's StreamWriter, which spools to a temp file).
func (s *Server) events(w http.ResponseWriter, r *http.Request, sc *scope) {
	p, err := newParams(r.URL, "location", "region", "from", "to", "type", "format")
	if err != nil {
		s.paramFail(w, err)
		return
	}
	req := query.EventsRequest{Locations: p.list("location"), Regions: p.list("region"), Types: p.list("type"), Scope: sc.allows}
	if req.From, err = p.time("from", true); err != nil {
		s.paramFail(w, err)
		return
	}
	if req.To, err = p.time("to", true); err != nil {
		s.paramFail(w, err)
		return
	}
	format, err := p.format("ndjson", "csv", "xlsx")
	if err != nil {
		s.paramFail(w, err)
		return
	}
	for _, id := range req.Locations {
		if s.cfg.Location(id) != nil && !sc.allows(id) {
			writeError(w, http.StatusForbidden, "location", "this token may not read location "+strconv.Quote(id))
			return
		}
	}
	q, err := s.engine.PrepareEvents(r.Context(), req)
	if err != nil {
		s.writeQueryError(w, r, err)
		return
	}
	if format == "xlsx" && s.cfg.API.MaxXLSXRows > 0 && q.Count > uint64(s.cfg.API.MaxXLSXRows) {
		// Refused before excelize spools a byte to the temporary directory.
		writeJSON(w, http.StatusBadRequest, apiError{Error: http.StatusText(http.StatusBadRequest), Param: "format", Limit: "api.max_xlsx_rows",
			Reason: "the range holds " + strconv.FormatUint(q.Count, 10) + " events, more than " + strconv.FormatInt(s.cfg.API.MaxXLSXRows, 10) +
				" for XLSX; export CSV or NDJSON, or a shorter range"})
		return
	}
	w.Header().Set("X-CXM-Event-Count", strconv.FormatUint(q.Count, 10))
	timeout := s.cfg.API.ExportTimeout
	// An export may legitimately outlast http.write_timeout: this response gets export_timeout instead.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(timeout + 30*time.Second))
	lw := &limitedWriter{w: w, limit: s.cfg.API.MaxExportBytes}
	if format != "xlsx" {
		w.Header().Set("Trailer", exportTrailer)
	}
	switch format {
	case "csv":
		attachment(w, "events.csv", "text/csv; charset=utf-8")
		cw := csv.NewWriter(lw)
		_ = cw.Write(query.EventColumns)
		rec := make([]string, len(query.EventColumns))
		cells := make([]any, len(query.EventColumns))
		err = q.Stream(r.Context(), timeout, func(ev *query.Event) error {
			s.metrics.rows.Inc()
			eventCells(ev, cells)
			eventRecord(cells, rec)
			neutralise(rec, eventTextColumns)
			if err := cw.Write(rec); err != nil {
				return err
			}
			return cw.Error()
		})
		cw.Flush()
	case "xlsx":
		err = s.eventsXLSX(w, lw, r, q, timeout)
	default:
		w.Header().Set("Content-Type", "application/x-ndjson")
		bw := bufio.NewWriterSize(lw, 64<<10)
		enc := json.NewEncoder(bw)
		var j eventJSON
		err = q.Stream(r.Context(), timeout, func(ev *query.Event) error {
			s.metrics.rows.Inc()
			toEventJSON(ev, &j)
			return enc.Encode(&j)
		})
		if ferr := bw.Flush(); err == nil {
			err = ferr
		}
	}
	if lw.hit {
		w.Header().Set(exportTrailer, "truncated at api.max_export_bytes ("+strconv.FormatInt(lw.limit, 10)+" bytes); export a shorter range")
		s.log.Warn("api events export cut at api.max_export_bytes", "bytes", lw.n, "format", format)
		return
	}
	if err != nil && !errors.Is(err, r.Context().Err()) {
		// Headers are gone: the client sees a truncated body (fewer rows than X-CXM-Event-Count).
		s.log.Error("api events export stopped", "err", err, "format", format)
	}
}

func (s *Server) paramFail(w http.ResponseWriter, err error) {
	var pe *paramError
	if errors.As(err, &pe) {
		writeError(w, http.StatusBadRequest, pe.param, pe.reason)
		return
	}
	writeError(w, http.StatusBadRequest, "", err.Error())
}

func toEventJSON(ev *query.Event, j *eventJSON) {
	*j = eventJSON{
		ID: ev.ID, Type: ev.Type, Location: ev.Location, Device: ev.Device, Time: ev.Time, Kind: ev.Kind,
		Value: ev.Value, Scale: ev.Scale, Subject: ev.Subject, In: ev.In, Out: ev.Out, Receipt: ev.Receipt,
		AmountCents: ev.AmountCents, Items: ev.Items, Currency: ev.Currency, Seller: ev.Seller, Refund: ev.Refund,
		Survey: ev.Survey, NPS: ev.NPS, CSAT: ev.CSAT, CES: ev.CES, Comment: ev.Comment, Q: ev.Q,
		Repeat: ev.Repeat, Received: ev.Received, Misuse: ev.Misuse,
		Answers: rawOrNil(ev.Answers),
	}
	if ev.Ext != "" && json.Valid([]byte(ev.Ext)) {
		j.Ext = json.RawMessage(ev.Ext)
	}
}

// eventCells are the export cells of ev, in query.EventColumns order: numbers as int64, flags as bool,
// times as time.Time in UTC, nil for a field that does not apply to the event (another type's field, a
// smiley's value and scale on another button, an unanswered question), so it is empty rather than 0.
func eventCells(ev *query.Event, cells []any) {
	clear(cells)
	opt := func(p *uint8) any {
		if p == nil {
			return nil
		}
		return int64(*p)
	}
	cells[0], cells[1], cells[2], cells[3] = ev.ID, ev.Type, ev.Location, ev.Device
	cells[4], cells[5], cells[8] = ev.Time.UTC(), ev.Kind, ev.Subject
	cells[11], cells[14], cells[15] = ev.Receipt, ev.Currency, ev.Seller
	cells[17], cells[21], cells[33] = ev.Survey, ev.Comment, ev.Ext
	cells[35] = ev.Received.UTC()
	switch ev.Type {
	case "button":
		if ev.Kind == "smiley" {
			cells[6], cells[7] = int64(ev.Value), int64(ev.Scale)
		}
		cells[34] = ev.Repeat
	case "counter":
		cells[9], cells[10] = int64(ev.In), int64(ev.Out)
	case "pos":
		cells[12], cells[13], cells[16] = ev.AmountCents, int64(ev.Items), ev.Refund
	case "survey":
		if ev.Misuse != "" {
			cells[36] = ev.Misuse
		}
		if ev.Answers != "" {
			cells[37] = ev.Answers
		}
		cells[18], cells[19], cells[20] = opt(ev.NPS), opt(ev.CSAT), opt(ev.CES)
		for i, q := range ev.Q {
			if q != 0 {
				cells[22+i] = int64(q)
			}
		}
	}
}

// eventRecord fills rec with the CSV text of cells (eventCells): times RFC 3339 UTC, flags true/false,
// empty where the cell is nil.
func eventRecord(cells []any, rec []string) {
	for i, c := range cells {
		switch v := c.(type) {
		case nil:
			rec[i] = ""
		case string:
			rec[i] = v
		case int64:
			rec[i] = strconv.FormatInt(v, 10)
		case bool:
			rec[i] = strconv.FormatBool(v)
		case time.Time:
			rec[i] = v.Format(time.RFC3339)
		}
	}
}

func (s *Server) eventsXLSX(w http.ResponseWriter, body *limitedWriter, r *http.Request, q *query.EventsQuery, timeout time.Duration) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "events"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	if err := sw.SetRow("A1", header(query.EventColumns)); err != nil {
		return err
	}
	timeStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &xlsxTimeFormat})
	if err != nil {
		return err
	}
	row, sheets := 2, 1
	cells := make([]any, len(query.EventColumns))
	times := func() {
		for i, c := range cells {
			if t, ok := c.(time.Time); ok {
				cells[i] = excelize.Cell{StyleID: timeStyle, Value: t}
			}
		}
	}
	err = q.Stream(r.Context(), timeout, func(ev *query.Event) error {
		if row > maxSheetRows+1 {
			if err := sw.Flush(); err != nil {
				return err
			}
			sheets++
			sheet = "events " + strconv.Itoa(sheets)
			if _, err := f.NewSheet(sheet); err != nil {
				return err
			}
			if sw, err = f.NewStreamWriter(sheet); err != nil {
				return err
			}
			if err := sw.SetRow("A1", header(query.EventColumns)); err != nil {
				return err
			}
			row = 2
		}
		s.metrics.rows.Inc()
		eventCells(ev, cells)
		times()
		err := sw.SetRow(cellName(row), cells)
		row++
		return err
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	attachment(w, "events.xlsx", xlsxType)
	return f.Write(body)
}

func rawOrNil(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	return json.RawMessage(s)
}
