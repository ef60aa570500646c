package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/cxm-project/cxm/internal/clickhouse"
)

// TestExportCells: in the CSV and XLSX exports a field that does not apply to an event's type is empty, not
// 0; in the XLSX, times are date cells and flags are boolean cells.
func TestExportCells(t *testing.T) {
	f, conn, db := setup(t, nil)
	for _, row := range []string{
		`'b1', 'button', 'msk-1', 'd', toDateTime('2026-03-02 20:00:00', 'UTC'), 'smiley', 2, 5, '', 0, 0, '', 0, 0, 0, 1, toDateTime('2026-03-02 20:00:01', 'UTC')`,
		`'b2', 'button', 'msk-1', 'd', toDateTime('2026-03-02 20:01:00', 'UTC'), 'like', 0, 0, 'parking', 0, 0, '', 0, 0, 0, 0, toDateTime('2026-03-02 20:01:01', 'UTC')`,
		`'c1', 'counter', 'msk-1', 'd', toDateTime('2026-03-02 20:02:00', 'UTC'), '', 0, 0, '', 0, 3, '', 0, 0, 0, 0, toDateTime('2026-03-02 20:02:01', 'UTC')`,
		`'p1', 'pos', 'msk-1', 'd', toDateTime('2026-03-02 20:03:00', 'UTC'), '', 0, 0, '', 0, 0, 'R1', 12990, 2, 1, 0, toDateTime('2026-03-02 20:03:01', 'UTC')`,
	} {
		must(t, conn.Exec(context.Background(), fmt.Sprintf("INSERT INTO %s.events (id, type, location, device, time, kind, value, scale, subject, `in`, `out`, receipt, amount_cents, items, refund, `repeat`, received) SELECT %s FROM numbers(1)",
			clickhouse.Ident(db), row)))
	}
	q := "/v1/events?location=msk-1&from=2026-03-02T20:00:00Z&to=2026-03-02T20:10:00Z"
	want := map[string]map[string]string{ // id -> column -> CSV text
		"b1": {"value": "2", "scale": "5", "subject": "", "in": "", "out": "", "amount_cents": "", "items": "", "refund": "", "repeat": "true", "nps": "", "q1": ""},
		"b2": {"value": "", "scale": "", "subject": "parking", "in": "", "refund": "", "repeat": "false"},
		"c1": {"value": "", "in": "0", "out": "3", "amount_cents": "", "refund": "", "repeat": ""},
		"p1": {"value": "", "in": "", "amount_cents": "12990", "items": "2", "refund": "true", "repeat": "", "nps": ""},
	}
	rows, err := csv.NewReader(f.get(tokAll, q+"&format=csv").Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	check := func(format string, rows [][]string) {
		if len(rows) != 5 {
			t.Fatalf("%s: %d rows, want 5", format, len(rows))
		}
		for _, r := range rows[1:] {
			for c, v := range want[r[0]] {
				got := ""
				for j, h := range rows[0] {
					if h == c && j < len(r) {
						got = r[j]
					}
				}
				if format == "xlsx" && (v == "true" || v == "false") {
					v = map[string]string{"true": "1", "false": "0"}[v] // a boolean cell's raw value
				}
				if got != v {
					t.Errorf("%s %s %s = %q, want %q", format, r[0], c, got, v)
				}
			}
		}
	}
	check("csv", rows)

	x, err := excelize.OpenReader(bytes.NewReader(f.get(tokAll, q+"&format=xlsx").Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	xrows, err := x.GetRows("events", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	check("xlsx", xrows)
	col := func(name string) string {
		for j, h := range xrows[0] {
			if h == name {
				n, _ := excelize.ColumnNumberToName(j + 1)
				return n
			}
		}
		t.Fatalf("no column %s", name)
		return ""
	}
	for i, r := range xrows[1:] {
		row := strconv.Itoa(i + 2)
		for _, c := range []string{"time", "received"} {
			ty, _ := x.GetCellType("events", col(c)+row)
			shown, _ := x.GetCellValue("events", col(c)+row)
			if ty == excelize.CellTypeSharedString || ty == excelize.CellTypeInlineString || len(shown) != len("2026-03-02 20:00:00") {
				t.Errorf("%s %s is %q (type %v), want a date cell shown as yyyy-mm-dd hh:mm:ss", r[0], c, shown, ty)
			}
		}
		if r[0] == "p1" {
			if ty, _ := x.GetCellType("events", col("refund")+row); ty != excelize.CellTypeBool {
				t.Errorf("refund cell type %v, want boolean", ty)
			}
		}
	}
}
