package importer_test

import (
	"bytes"
	"context"
	"log/slog"
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

func TestImport(t *testing.T) {
	k := cxmtest.Kafka(t)
	cfg := ingesttest.Config(t, k)
	cfg.Locations[0].TimeZone = "Europe/Moscow"
	events := kafka.NewProducer(k, k.Topics.Events, slog.New(slog.DiscardHandler), nil)
	defer events.Close()
	dead := kafka.NewProducer(k, k.Topics.DeadLetter, slog.New(slog.DiscardHandler), nil)
	defer dead.Close()
	day := time.Now().Add(-24 * time.Hour).UTC()
	ts := day.Format(time.RFC3339)
	local := day.In(time.FixedZone("MSK", 3*3600)).Format("2006-01-02 15:04:05")

	tests := []struct {
		name, kind, csv string
		rows, written   int
		dups            int
		errs            []string // "line N: field: reason" prefixes
	}{
		{"receipts", "receipts", "location,receipt,time,amount,items,currency,seller,refund\n" +
			"shop-1,R-1," + ts + ",1249.90,3,RUB,s-1,\n" +
			"shop-1,R-1," + ts + ",1249.90,3,RUB,s-1,true\n" + // the refund of R-1: another id
			"shop-1,R-2,\"" + local + "\",\"99,50\",1,,,\n" + // local time of the store, comma decimal
			"shop-1,R-2," + ts + ",99.50,1,,,\n" + // the same receipt again
			"nowhere,R-3," + ts + ",1,1,,,\n" +
			"shop-1,R-4,yesterday,1,1,,,\n" +
			"shop-1,R-5," + ts + ",1.234,0,rub,,maybe\n",
			7, 3, 1, []string{"line 6: location: unknown location", "line 7: time: must be RFC 3339", "line 8: amount:", "line 8: items:", "line 8: refund:"}},
		{"counters", "counters", "device,location,time,in,out\n" +
			"door-1,shop-2," + ts + ",14,2\n" +
			"door-1,shop-2," + ts + ",-1,2\n",
			2, 1, 0, []string{"line 3: in: must be between 0 and 1000000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := importer.Options{Kind: tt.kind, Rules: rules.New(cfg), Writer: writer.New(writer.Options{Events: events, DeadLetter: dead}), BatchSize: 2}
			for run := range 2 { // the second run writes the same ids again
				sum, err := importer.Run(context.Background(), strings.NewReader(tt.csv), opts)
				if err != nil {
					t.Fatal(err)
				}
				if sum.Rows != tt.rows || sum.Written != tt.written || sum.Duplicates != tt.dups || sum.Rejected != len(tt.errs)-extra(tt.errs) {
					t.Errorf("run %d: %+v", run, sum)
				}
				var got []string
				for _, e := range sum.Errors {
					got = append(got, e.String())
				}
				for _, want := range tt.errs {
					if !hasPrefix(got, want) {
						t.Errorf("no error %q in %q", want, got)
					}
				}
			}
		})
	}
	ids := map[string]int{}
	for _, m := range ingesttest.ReadAll(t, k, k.Topics.Events) {
		e, err := event.Decode(m.Value)
		if err != nil {
			t.Fatal(err)
		}
		ids[e.ID]++
	}
	want := []string{"pos:shop-1:R-1", "pos:shop-1:R-1:refund", "pos:shop-1:R-2", "counter:shop-2:door-1:" + ts}
	for _, id := range want {
		// Two runs: each id twice in Kafka, the same id both times, which the processor counts once.
		if ids[id] != 2 {
			t.Errorf("%s: %d messages, want 2 (one per run)", id, ids[id])
		}
	}
	if len(ids) != len(want) {
		t.Errorf("ids %v", ids)
	}
	if n := len(ingesttest.ReadAll(t, k, k.Topics.DeadLetter)); n != 2*4 {
		t.Errorf("%d dead letters, want 8", n)
	}
}

// extra is the number of additional errors of rows that have several (row 8 of receipts has three).
func extra(errs []string) int {
	lines := map[string]int{}
	for _, e := range errs {
		lines[strings.SplitN(e, ":", 2)[0]]++
	}
	n := 0
	for _, c := range lines {
		n += c - 1
	}
	return n
}

func hasPrefix(list []string, p string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func TestImportHeader(t *testing.T) {
	cfg := ingesttest.Config(t, config.Kafka{})
	for _, tt := range []struct{ kind, csv, want string }{
		{"receipts", "location,receipt,time,amount\n", `line 1: missing column "items"`},
		{"counters", "location,device,time,in,out,colour\n", `line 1: unknown column "colour"`},
		{"counters", "", "line 1: reading the header"},
		{"bills", "x\n", "unknown import kind"},
	} {
		_, err := importer.Run(context.Background(), strings.NewReader(tt.csv), importer.Options{Kind: tt.kind, Rules: rules.New(cfg), DryRun: true})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.csv, err, tt.want)
		}
	}
}

func TestBar(t *testing.T) {
	var buf bytes.Buffer
	b := importer.NewBar(&buf, false, 1000)
	b.Done(importer.Progress{Rows: 10, Bytes: 500})
	if got := buf.String(); !strings.Contains(got, " 50% 10 rows") || strings.Contains(got, "\r") {
		t.Errorf("plain progress line: %q", got)
	}
	buf.Reset()
	b = importer.NewBar(&buf, true, 1000)
	b.Done(importer.Progress{Rows: 10, Bytes: 1000})
	if got := buf.String(); !strings.HasPrefix(got, "\r[") || !strings.Contains(got, "100%") {
		t.Errorf("terminal bar: %q", got)
	}
}
