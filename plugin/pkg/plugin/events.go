package plugin

import (
	"context"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/query"
)

// queryEvents answers the events query type: recent raw events for table panels, read by the engine
// under its limits; Grafana's range includes its end second.
func (d *Datasource) queryEvents(ctx context.Context, q Query) (data.Frames, error) {
	f := newEventsFrame(q.RefID)
	sel, err := SelectLocations(d.cfg.Locations, q.Model)
	if err != nil {
		return nil, downstream(err)
	}
	if !sel.All && len(sel.IDs) == 0 {
		return data.Frames{f.Frame}, nil
	}
	eng, err := d.engine(ctx)
	if err != nil {
		return nil, err
	}
	evs, err := eng.RecentEvents(ctx, query.RecentRequest{
		Locations: sel.IDs, From: q.From, To: inclusiveEnd(q.To), Types: q.Model.EventTypes,
		WithComment: q.Model.WithComment, Limit: q.EventsLimit(), Scope: d.scope,
	})
	if err != nil {
		return nil, d.engineError(err)
	}
	for i := range evs {
		f.appendRow(&evs[i], registryEntry(d.cfg.Locations, evs[i].Location).Name)
	}
	return data.Frames{f.Frame}, nil
}

// inclusiveEnd is the exclusive end of the whole seconds up to and including t: stored times are whole
// seconds, and Grafana's range includes its end.
func inclusiveEnd(t time.Time) time.Time { return t.Truncate(time.Second).Add(time.Second) }

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

func (f eventsFrame) appendRow(ev *query.Event, name string) {
	f.AppendRow(ev.Time, ev.Location, name, ev.Type, ev.Device, ev.Kind, ev.Value, ev.Scale, ev.Subject, ev.In, ev.Out,
		ev.Receipt, event.Amount(ev.AmountCents).String(), ev.Items, ev.Currency, ev.Refund, ev.Survey, ev.NPS, ev.CSAT, ev.CES, ev.Comment, ev.ID)
}
