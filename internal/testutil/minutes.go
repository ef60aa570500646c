package testutil

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/kpi"
)

// MinuteRow is one kpi_minute delta row as the processor writes it (without its offset bookkeeping).
type MinuteRow struct {
	Location string
	Minute   time.Time
	C        kpi.Components
}

// InsertMinutes writes the rows to kpi_minute in one INSERT block, every component column included, the way
// the processor does (a batch, since INSERT … VALUES hangs on ClickHouse 18.16 over the native protocol).
func InsertMinutes(t testing.TB, conn driver.Conn, database string, rows ...MinuteRow) {
	t.Helper()
	names := make([]string, len(kpi.Columns))
	for i, c := range kpi.Columns {
		names[i] = clickhouse.Ident(c.Name)
	}
	b, err := conn.PrepareBatch(context.Background(), "INSERT INTO "+clickhouse.Ident(database)+
		".kpi_minute (location, minute, "+strings.Join(names, ", ")+")")
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]any, 0, 2+len(kpi.Columns))
	for _, r := range rows {
		c := r.C
		vals = append(vals[:0], r.Location, r.Minute)
		for _, col := range kpi.Columns {
			vals = append(vals, *col.Field(&c))
		}
		if err := b.Append(vals...); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
}
