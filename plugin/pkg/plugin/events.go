package plugin

import (
	"context"
	"fmt"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/cxm-project/cxm/internal/event"
)

// queryEvents answers the events query type: recent raw events for table panels.
func (d *Datasource) queryEvents(ctx context.Context, q Query) (data.Frames, error) {
	sel, err := SelectLocations(d.cfg.Locations, q.Model)
	if err != nil {
		return nil, downstream(err)
	}
	conn, err := d.connection(ctx)
	if err != nil {
		return nil, err
	}
	sql, args := eventsSQL{
		Database: d.settings.Database, From: q.From, To: q.To, Locations: sel,
		Types: q.Model.EventTypes, WithComment: q.Model.WithComment, Limit: q.EventsLimit(),
	}.Build()
	rows, err := conn.Query(ctx, sql, args...)
	if err != nil {
		return nil, clickhouseError("events", err)
	}
	defer rows.Close()
	f := newEventsFrame(q.RefID)
	for rows.Next() {
		var (
			r             eventRow
			amount        int64
			nps, csat, ce *uint8
		)
		if err := rows.Scan(&r.time, &r.location, &r.typ, &r.device, &r.kind, &r.value, &r.scale, &r.subject, &r.in, &r.out,
			&r.receipt, &amount, &r.items, &r.currency, &r.refund, &r.survey, &nps, &csat, &ce, &r.comment, &r.id); err != nil {
			return nil, clickhouseError("events", err)
		}
		r.amount = event.Amount(amount).String()
		r.nps, r.csat, r.ces = nps, csat, ce
		r.name = registryEntry(d.cfg.Locations, r.location).Name
		f.appendRow(r)
	}
	if err := rows.Err(); err != nil {
		return nil, clickhouseError("events", err)
	}
	return data.Frames{f.Frame}, nil
}

type eventRow struct {
	time                              time.Time
	location, name, typ, device, kind string
	value, scale                      uint8
	subject                           string
	in, out                           uint32
	receipt, amount                   string
	items                             int32
	currency                          string
	refund                            uint8
	survey                            string
	nps, csat, ces                    *uint8
	comment, id                       string
}

type eventsFrame struct{ *data.Frame }

// newEventsFrame is the events table: one row per event, newest first, money as an exact decimal string.
func newEventsFrame(refID string) eventsFrame {
	f := data.NewFrame("events",
		data.NewField("time", nil, []time.Time{}).SetConfig(&data.FieldConfig{DisplayName: "Time"}),
		locationField([]string{}),
		data.NewField("name", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Name"}),
		data.NewField("type", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Type"}),
		data.NewField("device", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Device"}),
		data.NewField("kind", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Kind"}),
		data.NewField("value", nil, []uint8{}).SetConfig(&data.FieldConfig{DisplayName: "Value"}),
		data.NewField("scale", nil, []uint8{}).SetConfig(&data.FieldConfig{DisplayName: "Scale"}),
		data.NewField("subject", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Subject"}),
		data.NewField("in", nil, []uint32{}).SetConfig(&data.FieldConfig{DisplayName: "In"}),
		data.NewField("out", nil, []uint32{}).SetConfig(&data.FieldConfig{DisplayName: "Out"}),
		data.NewField("receipt", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Receipt"}),
		data.NewField("amount", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Amount"}),
		data.NewField("items", nil, []int32{}).SetConfig(&data.FieldConfig{DisplayName: "Items"}),
		data.NewField("currency", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Currency"}),
		data.NewField("refund", nil, []bool{}).SetConfig(&data.FieldConfig{DisplayName: "Refund"}),
		data.NewField("survey", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Survey"}),
		data.NewField("nps", nil, []*uint8{}).SetConfig(&data.FieldConfig{DisplayName: "NPS answer"}),
		data.NewField("csat", nil, []*uint8{}).SetConfig(&data.FieldConfig{DisplayName: "CSAT answer"}),
		data.NewField("ces", nil, []*uint8{}).SetConfig(&data.FieldConfig{DisplayName: "CES answer"}),
		data.NewField("comment", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Comment"}),
		data.NewField("id", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Event id"}),
	)
	f.RefID = refID
	f.Meta = &data.FrameMeta{PreferredVisualization: data.VisTypeTable}
	return eventsFrame{f}
}

func (f eventsFrame) appendRow(r eventRow) {
	f.AppendRow(r.time, r.location, r.name, r.typ, r.device, r.kind, r.value, r.scale, r.subject, r.in, r.out,
		r.receipt, r.amount, r.items, r.currency, r.refund == 1, r.survey, r.nps, r.csat, r.ces, r.comment, r.id)
}

// clickhouseError marks a failed ClickHouse call as downstream, naming what was being read.
func clickhouseError(what string, err error) error {
	return downstream(fmt.Errorf("ClickHouse: %s query: %w", what, err))
}
