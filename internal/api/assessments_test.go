package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/cxm-project/cxm/internal/clickhouse"
)

func TestAssessmentsEndpoints(t *testing.T) {
	f, conn, db := setup(t, nil)
	// Two complete assessments (msk-1 with consent, msk-2 without) and an incomplete one.
	must(t, conn.Exec(context.Background(), fmt.Sprintf(`INSERT INTO %s.events (id, type, location, device, time, survey, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, ext, received)
SELECT 'web:cx-maturity:a1', 'survey', 'msk-1', 'web', toDateTime('2026-03-02 10:00:00', 'UTC'), 'cx-maturity', 4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3,
  '{"name":"Ada","email":"ada@example.com","consent":true,"lang":"en"}', toDateTime('2026-03-02 10:00:01', 'UTC')
UNION ALL SELECT 'web:cx-maturity:a2', 'survey', 'msk-2', 'web', toDateTime('2026-03-02 11:00:00', 'UTC'), 'cx-maturity', 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1,
  '', toDateTime('2026-03-02 11:00:01', 'UTC')
UNION ALL SELECT 'web:cx-maturity:a3', 'survey', 'msk-2', 'web', toDateTime('2026-03-02 12:00:00', 'UTC'), 'cx-maturity', 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 0,
  '', toDateTime('2026-03-02 12:00:01', 'UTC')`, clickhouse.Ident(db))))
	const q = "/v1/assessments?from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z"

	list := decode[struct{ Assessments []assessmentJSON }](t, f.get(tokAll, q))
	if len(list.Assessments) != 2 {
		t.Fatalf("assessments: %+v", list)
	}
	a2, a1 := list.Assessments[0], list.Assessments[1] // newest first
	if a2.ID != "web:cx-maturity:a2" || a2.Score != 20 || a2.Stage != 2 || a2.StageName.EN != "Exploring" || a2.Name != "" || a2.Email != "" {
		t.Errorf("a2: %+v", a2)
	}
	if a1.ID != "web:cx-maturity:a1" || a1.Score != 86 || a1.Stage != 5 || a1.Levels[8] != 3 || a1.Email != "ada@example.com" || a1.Blocks != nil {
		t.Errorf("a1: %+v", a1)
	}

	// A token for msk-1 sees only msk-1's assessment, and not msk-2's by id.
	scoped := decode[struct{ Assessments []assessmentJSON }](t, f.get(tokCentral, q))
	if len(scoped.Assessments) != 1 || scoped.Assessments[0].ID != "web:cx-maturity:a1" {
		t.Errorf("scoped list: %+v", scoped)
	}
	if rec := f.get(tokCentral, "/v1/assessments/web:cx-maturity:a2"); rec.Code != 404 {
		t.Errorf("a2 with the msk-1 token: %d %s", rec.Code, rec.Body)
	}
	if rec := f.get(tokCentral, q+"&location=msk-2"); rec.Code != 403 {
		t.Errorf("location=msk-2 with the msk-1 token: %d %s", rec.Code, rec.Body)
	}

	one := decode[assessmentJSON](t, f.get(tokCentral, "/v1/assessments/web:cx-maturity:a1"))
	if one.Score != 86 || len(one.Blocks) != 6 || one.Blocks[3].Level != 10.0/3 || one.Blocks[3].Title.EN != "Customer data and analytics" ||
		fmt.Sprint(one.Blocks[3].Questions) != "[5 9 11]" {
		t.Errorf("one: %+v", one)
	}
	if rec := f.get(tokAll, "/v1/assessments/web:cx-maturity:a3"); rec.Code != 404 {
		t.Errorf("an incomplete assessment: %d %s", rec.Code, rec.Body)
	}

	if rec := f.get(tokAll, q+"&limit=1"); !strings.Contains(rec.Body.String(), "a2") || strings.Contains(rec.Body.String(), "a1") {
		t.Errorf("limit=1: %s", rec.Body)
	}
	for _, bad := range []struct{ q, param string }{{"&limit=0", "limit"}, {"&limit=x", "limit"}, {"&limit=1001", "limit"}, {"&format=pdf", "format"}} {
		rec := f.get(tokAll, q+bad.q)
		if e := decode[apiError](t, rec); rec.Code != 400 || e.Param != bad.param {
			t.Errorf("%s: %d %+v", bad.q, rec.Code, e)
		}
	}

	// CSV and XLSX: the same rows.
	csvRows, err := csv.NewReader(f.get(tokAll, q+"&format=csv").Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(f.get(tokAll, q+"&format=xlsx").Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	xRows, err := x.GetRows("assessments", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	for name, rows := range map[string][][]string{"csv": csvRows, "xlsx": xRows} {
		want := [][]string{
			assessmentColumns,
			{"web:cx-maturity:a2", "msk-2", "2026-03-02T11:00:00Z", "20", "2", "Exploring", "2", "2", "2", "2", "2", "2", "2", "1", "1", "1", "1", "", "", ""},
			{"web:cx-maturity:a1", "msk-1", "2026-03-02T10:00:00Z", "86", "5", "Embedding", "4", "4", "4", "4", "4", "4", "4", "4", "3", "3", "3", "Ada", "ada@example.com", "en"},
		}
		if len(rows) != len(want) {
			t.Fatalf("%s: %v", name, rows)
		}
		for i := range want {
			// excelize leaves trailing empty cells out of a row.
			if got := strings.TrimRight(strings.Join(rows[i], ","), ","); got != strings.TrimRight(strings.Join(want[i], ","), ",") {
				t.Errorf("%s row %d:\n got %s\nwant %s", name, i, got, strings.Join(want[i], ","))
			}
		}
	}
}
