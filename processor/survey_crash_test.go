package processor_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/internal/survey"
	"github.com/cxm-project/cxm/internal/testutil"
)

// TestCrashRecoverySurveys: a stream where every fifth event answers the RSQS questionnaire is consumed by a
// processor child process that is SIGKILLed at random moments and restarted; survey_minute (answer
// counts, submissions, CSI scores) ends exactly as the stream's distinct, timely answers give, and
// kpi_minute as without crashes: the survey rows are written effectively once with their marks.
func TestCrashRecoverySurveys(t *testing.T) {
	t.Cleanup(func() { _ = survey.Install(nil) })
	files, _ := filepath.Abs(filepath.Join("..", "deploy", "surveys", "rsqs.yaml"))
	cfg, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Questionnaires.SurveyFiles = []string{files}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	cat := cfg.Catalog()
	kc := testutil.Kafka(t)
	conn, ch := testutil.ClickHouse(t)
	n := 60000
	if testing.Short() {
		n = 20000
	}
	msgs := rsqsMix(generate(n, 4, base))
	x := expect(msgs)
	want := map[string]kpi.Sums{}
	seen := map[string]bool{}
	for _, m := range msgs {
		if seen[m.e.ID] || m.late {
			continue
		}
		seen[m.e.ID] = true
		e := m.e
		cat.Feed(&e, func(k kpi.SurveyKey, s kpi.Sums) {
			key := fmt.Sprintf("%s|%d|%s|%s|%d", e.Location, e.Time.Unix()/60*60, k.Survey, k.Item, k.Value)
			o := want[key]
			want[key] = kpi.Sums{N: o.N + s.N, Sum: o.Sum + s.Sum, SumSq: o.SumSq + s.SumSq}
		})
	}
	start := func() *exec.Cmd {
		cmd := startChild(t, "CXM_HELPER_BROKER="+kc.Brokers[0],
			"CXM_HELPER_CLICKHOUSE="+ch.Addr[0], "CXM_HELPER_DATABASE="+ch.Database, "CXM_HELPER_GROUP=crash-surveys",
			"CXM_HELPER_SURVEY_FILES="+files)
		return cmd
	}
	surveyRows := func() uint64 {
		var n uint64
		_ = conn.QueryRow(context.Background(), "SELECT count() FROM `"+ch.Database+"`.survey_minute").Scan(&n)
		return n
	}
	produce(t, kc, msgs)
	r := rand.New(rand.NewPCG(8, 8))
	for i := range 4 {
		before := surveyRows()
		cmd := start()
		deadline := time.Now().Add(2 * time.Minute)
		for surveyRows() == before && time.Now().Before(deadline) {
			if done, want, _ := caughtUp(conn, ch.Database, endOffsets(t, kc)); done == want {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(time.Duration(r.IntN(1500)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		t.Logf("kill %d: %d survey rows before, %d after", i+1, before, surveyRows())
	}
	cmd := start()
	waitCaughtUp(t, conn, ch.Database, endOffsets(t, kc), 5*time.Minute)
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
	check(t, conn, ch.Database, x)

	rows, err := conn.Query(context.Background(), "SELECT location, toUInt32(minute), survey, item, value, sum(n), sum(sum), sum(sumsq) FROM "+
		clickhouse.Ident(ch.Database)+".survey_minute GROUP BY location, minute, survey, item, value")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]kpi.Sums{}
	for rows.Next() {
		var (
			loc, sv, item string
			m             uint32
			v             int32
			s             kpi.Sums
		)
		if err := rows.Scan(&loc, &m, &sv, &item, &v, &s.N, &s.Sum, &s.SumSq); err != nil {
			t.Fatal(err)
		}
		if s != (kpi.Sums{}) {
			got[fmt.Sprintf("%s|%d|%s|%s|%d", loc, m, sv, item, v)] = s
		}
	}
	rows.Close()
	bad := 0
	for k, w := range want {
		if got[k] != w {
			if bad++; bad <= 5 {
				t.Errorf("%s: got %+v, want %+v", k, got[k], w)
			}
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			if bad++; bad <= 5 {
				t.Errorf("%s: %+v in survey_minute, not expected", k, g)
			}
		}
	}
	if bad > 0 || len(want) == 0 {
		t.Errorf("%d of %d survey components differ", bad, len(want))
	}
}
