package api

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
)

// kpiColumns is the long table of format=csv and format=xlsx: one row per point, the same values as the
// JSON answer (empty cells where JSON has null).
var kpiColumns = []string{"location", "region", "kpi", "time", "value", "n", "low", "high"}

func attachment(w http.ResponseWriter, name, contentType string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// formatFloat is the shortest text that parses back to the same float64, as encoding/json writes it.
func formatFloat(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'g', -1, 64)
}

func writeKPIsCSV(w http.ResponseWriter, out *kpisJSON) {
	attachment(w, "kpis.csv", "text/csv; charset=utf-8")
	cw := csv.NewWriter(w)
	_ = cw.Write(kpiColumns)
	for _, s := range out.Series {
		for _, p := range s.Points {
			_ = cw.Write([]string{s.Location, s.Region, s.KPI, p.Time.Format(time.RFC3339),
				formatFloat(p.Value), strconv.FormatInt(p.N, 10), formatFloat(p.Low), formatFloat(p.High)})
		}
	}
	cw.Flush()
}

// xlsxTimeFormat shows a date cell with its seconds; every time in an export is UTC (an Excel date has no
// zone, so the column is documented as UTC rather than shifted to the reader's).
var xlsxTimeFormat = "yyyy-mm-dd hh:mm:ss"

// writeKPIsXLSX writes one sheet "kpis" with the long table; numbers are numeric cells, times date cells in
// UTC.
func writeKPIsXLSX(w http.ResponseWriter, out *kpisJSON) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "kpis"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	if err := sw.SetRow("A1", header(kpiColumns)); err != nil {
		return err
	}
	timeStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &xlsxTimeFormat})
	if err != nil {
		return err
	}
	row := 2
	for _, s := range out.Series {
		for _, p := range s.Points {
			cells := []any{s.Location, s.Region, s.KPI, excelize.Cell{StyleID: timeStyle, Value: p.Time.UTC()}, cellFloat(p.Value), p.N, cellFloat(p.Low), cellFloat(p.High)}
			if err := sw.SetRow(cellName(row), cells); err != nil {
				return err
			}
			row++
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	attachment(w, "kpis.xlsx", xlsxType)
	return f.Write(w)
}

func header(cols []string) []any {
	h := make([]any, len(cols))
	for i, c := range cols {
		h[i] = c
	}
	return h
}

// cellFloat leaves a null value as an empty cell.
func cellFloat(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

func cellName(row int) string { return fmt.Sprintf("A%d", row) }
