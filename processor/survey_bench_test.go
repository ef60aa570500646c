package processor_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/survey"
	"github.com/cxm-project/cxm/internal/testutil"
)

const surveyBenchEvents = 100000

// rsqsMix replaces every fifth event by an answer to the RSQS questionnaire (28 items and the 0..10
// recommendation: 29 configured answers), keeping its id, location and time.
func rsqsMix(msgs []msg) []msg {
	out := make([]msg, len(msgs))
	for i, m := range msgs {
		out[i] = m
		if i%5 != 0 {
			continue
		}
		e := event.Event{ID: m.e.ID, Location: m.e.Location, Time: m.e.Time, Type: event.TypeSurvey, Survey: "rsqs"}
		a := &event.Answers{}
		for q := 1; q <= 28; q++ {
			a.Items = append(a.Items, event.Item{Key: fmt.Sprintf("rsqs%02d", q), Kind: event.ItemInt, Int: 1 + (i+q)%5})
		}
		a.Items = append(a.Items, event.Item{Key: "recommend", Kind: event.ItemInt, Int: i % 11})
		e.Answers = a
		out[i] = msg{e: e, late: m.late}
	}
	return out
}

// BenchmarkProcessorSurveyMix: the processor's rate on today's event mix and on the same events with
// every fifth one an RSQS answer (survey_minute gets ~30 answer counts and 6 scores per answer), one after
// the other in the same run, each on its own broker and database.
func BenchmarkProcessorSurveyMix(b *testing.B) {
	b.Cleanup(func() { _ = survey.Install(nil) })
	today := generate(surveyBenchEvents, 12, base)
	for _, mix := range []struct {
		name string
		msgs []msg
	}{{"today", today}, {"rsqs20", rsqsMix(today)}} {
		b.Run(mix.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				kc := testutil.Kafka(b)
				produce(b, kc, mix.msgs)
				ends := endOffsets(b, kc)
				conn, ch := testutil.ClickHouse(b)
				cfg := testConfig(b, kc, ch, fmt.Sprintf("bench-survey-%s-%d", mix.name, i))
				cfg.Questionnaires.SurveyFiles = []string{filepath.Join("..", "deploy", "surveys", "rsqs.yaml")}
				if err := cfg.Validate(); err != nil {
					b.Fatal(err)
				}
				cfg.Processor.FlushInterval = 500 * time.Millisecond
				cfg.Processor.PartitionMaxPending = 50000
				b.StartTimer()
				start := time.Now()
				stop := startProcessor(b, cfg)
				waitCaughtUp(b, conn, ch.Database, ends, 10*time.Minute)
				el := time.Since(start)
				b.StopTimer()
				stop()
				b.ReportMetric(surveyBenchEvents/el.Seconds(), "events/s")
				b.StartTimer()
			}
		})
	}
}
