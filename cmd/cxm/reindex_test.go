package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/survey"
	"github.com/cxm-project/cxm/internal/testutil"
)

// TestReindexCommand: `cxm reindex` over two days of a database holding one RSQS answer writes its
// components, draws the progress bar on stderr and says what it did; a second run writes nothing.
func TestReindexCommand(t *testing.T) {
	t.Setenv("CXM_CONFIG", "")
	t.Cleanup(func() { _ = survey.Install(nil) })
	conn, ch := testutil.ClickHouse(t)
	rsqs, _ := filepath.Abs("../../deploy/surveys/rsqs.yaml")
	cfgPath := filepath.Join(t.TempDir(), "cxm.yaml")
	if err := os.WriteFile(cfgPath, []byte("clickhouse: {addr: ["+ch.Addr[0]+"], database: "+ch.Database+"}\nsurvey_files: ["+rsqs+"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	ev := event.Event{ID: "a", Type: event.TypeSurvey, Location: "store-001", Time: at, Survey: "rsqs",
		Answers: &event.Answers{Items: []event.Item{{Key: "rsqs01", Kind: event.ItemInt, Int: 4}, {Key: "recommend", Kind: event.ItemInt, Int: 10}}}}
	if err := clickhouse.InsertEvents(context.Background(), conn, ch.Database, []clickhouse.EventRow{{Event: ev, Received: at}}); err != nil {
		t.Fatal(err)
	}
	args := []string{"reindex", "--config", cfgPath, "--from", "2026-05-01T00:00:00Z", "--to", "2026-05-03T00:00:00Z"}
	// Submission, two answer counts, the CSI and its physical dimension: 5 rows.
	code, out, errOut := run(t, args...)
	if code != 0 || !strings.Contains(out, "1 survey events read, 5 correction rows written") || !strings.Contains(errOut, "[==============================] 2/2 periods") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	code, out, _ = run(t, args...)
	if code != 0 || !strings.Contains(out, "1 survey events read, 0 correction rows written") {
		t.Errorf("second run: exit %d: %s", code, out)
	}
	code, _, errOut = run(t, "reindex", "--config", cfgPath, "--from", "2026-05-01T00:00:00Z")
	if code == 0 || !strings.Contains(errOut, "--to is required") {
		t.Errorf("without --to: exit %d: %s", code, errOut)
	}
}
