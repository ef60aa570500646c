package processor_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/internal/testutil"
)

// withAudits interleaves stamped audit events (as the ingest writes them) into a generated stream: every
// 25th message, a third of them sent twice.
func withAudits(gen []msg, seed uint64) []msg {
	r := rand.New(rand.NewPCG(seed, 17))
	results := []string{event.ResultMet, event.ResultMet, event.ResultMet, event.ResultNotMet, event.ResultNA}
	capAt := 0.0
	var out []msg
	var audits []msg
	for i, m := range gen {
		out = append(out, m)
		if i%25 != 0 || m.late {
			continue
		}
		a := &event.Audit{Template: "retail", Auditor: event.Auditor{Role: event.AuditorMysteryShopper, ID: "agency"}, Cap: &capAt}
		if r.IntN(2) == 0 {
			a.Employee = fmt.Sprintf("emp-%d", r.IntN(5))
		}
		for j, el := range []struct {
			id, factor string
			w          int
			crit       bool
		}{{"greet", "greeting", 2, true}, {"smile", "greeting", 1, false}, {"needs", "needs", 3, false}, {"fitting", "needs", 1, false}} {
			res := results[r.IntN(len(results))]
			if j == 0 && res == event.ResultNA {
				res = event.ResultMet
			}
			a.Elements = append(a.Elements, event.AuditResult{Element: el.id, Result: res, Factor: el.factor, Weight: el.w, Critical: el.crit})
		}
		e := event.Event{ID: fmt.Sprintf("audit-%d-%d", seed, i), Type: event.TypeAudit, Location: m.e.Location,
			Time: m.e.Time.Truncate(time.Second), Audit: a}
		out = append(out, msg{e: e})
		audits = append(audits, msg{e: e})
		if len(audits)%3 == 0 {
			out = append(out, audits[r.IntN(len(audits))]) // re-sent: counted once
		}
	}
	return out
}

type auditKey struct{ loc, tmpl, dim, key string }

func expectAudits(msgs []msg) map[auditKey]kpi.AuditSum {
	seen := map[string]bool{}
	out := map[auditKey]kpi.AuditSum{}
	for _, m := range msgs {
		if m.e.Type != event.TypeAudit || seen[m.e.ID] {
			continue
		}
		seen[m.e.ID] = true
		for k, s := range kpi.AuditComponents(m.e.Audit) {
			ak := auditKey{m.e.Location, k.Template, k.Dim, k.Key}
			sum := out[ak]
			sum.Add(s)
			out[ak] = sum
		}
	}
	return out
}

func checkAudits(t *testing.T, conn driver.Conn, db string, want map[auditKey]kpi.AuditSum) {
	t.Helper()
	rows, err := conn.Query(context.Background(), "SELECT location, template, dim, key, sum(n), sum(sum), sum(sumsq) FROM "+
		clickhouse.Ident(db)+".audit_minute GROUP BY location, template, dim, key")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[auditKey]kpi.AuditSum{}
	for rows.Next() {
		var k auditKey
		var s kpi.AuditSum
		if err := rows.Scan(&k.loc, &k.tmpl, &k.dim, &k.key, &s.N, &s.Sum, &s.SumSq); err != nil {
			t.Fatal(err)
		}
		got[k] = s
	}
	if len(want) < 50 {
		t.Fatalf("only %d expected audit components: the stream lacks audits", len(want))
	}
	bad := 0
	for k, w := range want {
		if got[k] != w {
			if bad++; bad <= 5 {
				t.Errorf("audit %+v: got %+v, want %+v", k, got[k], w)
			}
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d audit components in audit_minute, want %d", len(got), len(want))
	}
}

// TestAuditsCrashRecovery: audits in a stream with duplicates are counted exactly once in audit_minute
// while the processor is SIGKILLed at random moments (between its like, audit and kpi inserts too), and
// the other figures stay exact.
func TestAuditsCrashRecovery(t *testing.T) {
	kc := testutil.Kafka(t)
	conn, ch := testutil.ClickHouse(t)
	msgs := withAudits(generate(30000, 9, base), 9)
	x := expect(msgs)
	want := expectAudits(msgs)
	start := func() *exec.Cmd {
		cmd := startChild(t, "CXM_HELPER_BROKER="+kc.Brokers[0],
			"CXM_HELPER_CLICKHOUSE="+ch.Addr[0], "CXM_HELPER_DATABASE="+ch.Database, "CXM_HELPER_GROUP=audits")
		return cmd
	}
	r := rand.New(rand.NewPCG(3, 3))
	const parts = 4
	for i := range parts {
		produce(t, kc, msgs[i*len(msgs)/parts:(i+1)*len(msgs)/parts])
		cmd := start()
		deadline := time.Now().Add(time.Minute)
		for time.Now().Before(deadline) {
			if done, want, _ := caughtUp(conn, ch.Database, endOffsets(t, kc)); done > 0 || want == 0 {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(time.Duration(r.IntN(1500)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
	}
	cmd := start()
	waitCaughtUp(t, conn, ch.Database, endOffsets(t, kc), 5*time.Minute)
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
	check(t, conn, ch.Database, x)
	checkAudits(t, conn, ch.Database, want)
	var raw uint64
	if err := conn.QueryRow(context.Background(), "SELECT count() FROM "+clickhouse.Ident(ch.Database)+".events WHERE type = 'audit' AND audit != ''").Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if seen := countAudits(msgs); int(raw) != seen {
		t.Errorf("raw audit rows %d, want %d", raw, seen)
	}
}

func countAudits(msgs []msg) int {
	ids := map[string]bool{}
	for _, m := range msgs {
		if m.e.Type == event.TypeAudit {
			ids[m.e.ID] = true
		}
	}
	return len(ids)
}
