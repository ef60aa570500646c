package importer_test

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cxm-project/cxm/ingest/importer"
	"github.com/cxm-project/cxm/ingest/ingesttest"
	"github.com/cxm-project/cxm/ingest/rules"
	"github.com/cxm-project/cxm/ingest/writer"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kafka"
	cxmtest "github.com/cxm-project/cxm/internal/testutil"
)

// TestImportAudits: an agency's file with the example templates of cxm.yaml. Good rows reach Kafka
// stamped with the template (weights, factors); every bad row is reported with its line and column, and
// the progress callback sees the rows go by.
func TestImportAudits(t *testing.T) {
	k := cxmtest.Kafka(t)
	cfg := ingesttest.Config(t, k)
	example, err := config.Load("../../cxm.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Audits = example.Audits
	events := kafka.NewProducer(k, k.Topics.Events, slog.New(slog.DiscardHandler), nil)
	defer events.Close()
	dead := kafka.NewProducer(k, k.Topics.DeadLetter, slog.New(slog.DiscardHandler), nil)
	defer dead.Close()
	ts := time.Now().Add(-24 * time.Hour).UTC().Format(time.RFC3339)
	csv := "visit,location,time,template,auditor,employee,greet,smile,open_questions,fitting,offer,goodbye,smile.comment,served\n" +
		"V-1,shop-1," + ts + ",retail,agency-7,emp-1,да,нет,1,н/п,yes,+,no eye contact,\n" + // line 2: good
		"V-2,shop-2," + ts + ",button,agency-7,,,,,,,,,0\n" + // line 3: good (the button)
		"V-1,shop-1," + ts + ",retail,agency-7,emp-1,да,нет,1,н/п,yes,+,no eye contact,\n" + // line 4: line 2 again
		"V-3,shop-1," + ts + ",retail,agency-7,,maybe,1,1,1,1,1,,\n" + // line 5: bad cell
		"V-4,shop-1," + ts + ",retail,agency-7,,1,1,1,1,1,,,\n" + // line 6: goodbye missing
		"V-5,shop-1," + ts + ",retail,agency-7,,1,1,1,1,1,1,,1\n" + // line 7: served is not in retail
		"V-6,shop-1," + ts + ",button,agency-7,,,,,,,,,na\n" + // line 8: n/a not allowed
		"V-7,nowhere," + ts + ",retail,agency-7,,1,1,1,1,1,1,,\n" + // line 9: unknown location
		"V-8,shop-1," + ts + ",bank,agency-7,,1,1,1,1,1,1,,\n" // line 10: unknown template
	var progress []importer.Progress
	opts := importer.Options{Kind: "audits", Rules: rules.New(cfg), Writer: writer.New(writer.Options{Events: events, DeadLetter: dead}),
		BatchSize: 2, Progress: func(p importer.Progress) { progress = append(progress, p) }}
	sum, err := importer.Run(context.Background(), strings.NewReader(csv), opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rows != 9 || sum.Written != 2 || sum.Duplicates != 1 || sum.Rejected != 6 {
		t.Errorf("summary %+v", sum)
	}
	var got []string
	for _, e := range sum.Errors {
		got = append(got, e.String())
	}
	for _, want := range []string{
		"line 5: greet: must be met, not_met or na",
		"line 6: elements: missing elements of template \"retail\": goodbye",
		"line 7: served: not an element of template \"retail\"",
		"line 8: served: n/a is not allowed",
		"line 9: location: unknown location",
		"line 10: template: unknown template",
	} {
		if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, want) }) {
			t.Errorf("no error %q in %q", want, got)
		}
	}
	if len(progress) < 2 || progress[len(progress)-1].Rows != 9 || progress[len(progress)-1].Bytes != int64(len(csv)) {
		t.Errorf("progress %+v", progress)
	}
	var audits []event.Event
	for _, m := range ingesttest.ReadAll(t, k, k.Topics.Events) {
		e, err := event.Decode(m.Value)
		if err != nil {
			t.Fatal(err)
		}
		audits = append(audits, e)
	}
	if len(audits) != 2 {
		t.Fatalf("%d events in Kafka, want 2", len(audits))
	}
	for _, e := range audits {
		if e.Audit.Template == "retail" {
			g := e.Audit.Elements[0]
			if g.Element != "greet" || g.Result != event.ResultMet || g.Weight != 2 || !g.Critical || g.Factor != "greeting" ||
				e.Audit.Elements[1].Comment != "no eye contact" || e.Audit.Elements[3].Result != event.ResultNA || e.Audit.Employee != "emp-1" {
				t.Errorf("retail visit %+v", e.Audit)
			}
		}
	}
	// The same file again writes the same ids: the processor counts each visit once.
	again, err := importer.Run(context.Background(), strings.NewReader(csv), opts)
	if err != nil || again.Written != 2 {
		t.Fatalf("second run %+v %v", again, err)
	}
	ids := map[string]int{}
	for _, m := range ingesttest.ReadAll(t, k, k.Topics.Events) {
		e, _ := event.Decode(m.Value)
		ids[e.ID]++
	}
	if len(ids) != 2 {
		t.Errorf("ids %v", ids)
	}

	if _, err := importer.Run(context.Background(), strings.NewReader("location,time,template,auditor,colour\n"), opts); err == nil ||
		!strings.Contains(err.Error(), `line 1: unknown column "colour"`) {
		t.Errorf("bad header: %v", err)
	}
}
