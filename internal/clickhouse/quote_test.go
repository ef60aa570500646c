package clickhouse_test

import (
	"context"
	"testing"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/testutil"
)

// TestQuote: a quoted string reads back from the server as itself, whatever quotes and backslashes it holds.
func TestQuote(t *testing.T) {
	conn, _ := testutil.ClickHouse(t)
	for _, s := range []string{"", "store-001", `it's`, `back\slash`, `\'`, `'; DROP TABLE x; --`, "line\nbreak", "Москва"} {
		var got string
		if err := conn.QueryRow(context.Background(), "SELECT "+clickhouse.Quote(s)).Scan(&got); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if got != s {
			t.Errorf("Quote(%q) read back as %q", s, got)
		}
	}
}
