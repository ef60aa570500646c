package query

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kpi"
)

// wantValue is each KPI's formula written out from its definition, independently of the engine, to check
// the engine's figures against.
func wantValue(name string, c kpi.Components) (*float64, int64) {
	v, n := wantValueOrZero(name, c)
	if n == 0 {
		return nil, 0 // nothing counted: no figure, even for counts
	}
	return v, n
}

func wantValueOrZero(name string, c kpi.Components) (*float64, int64) {
	div := func(a, b float64) *float64 {
		if b == 0 {
			return nil
		}
		v := a / b
		return &v
	}
	f := func(x int64) float64 { return float64(x) }
	if kpi.IsCase(name) {
		return nil, 0 // these minutes have no case; casekpis_test.go checks the case KPIs' figures
	}
	switch name {
	case "nps":
		n := c.Promoters + c.Passives + c.Detractors
		return div(100*f(c.Promoters-c.Detractors), f(n)), n
	case "csat":
		return div(100*f(c.CSATTop2), f(c.CSATN)), c.CSATN
	case "ces":
		return div(f(c.CESSum), f(c.CESN)), c.CESN
	case "smile_index":
		return div(100*f(c.SmileSum12), 12*f(c.SmileN)), c.SmileN
	case "like_index":
		return div(100*f(c.Likes-c.Dislikes), f(c.Likes+c.Dislikes)), c.Likes + c.Dislikes
	case "visitors":
		v := f(c.Visitors)
		return &v, c.Visitors
	case "receipts": // net of refunds; n counts every POS event
		v := f(c.Receipts - c.Refunds)
		return &v, c.Receipts + c.Refunds
	case "revenue":
		v := f(c.RevenueCents) / 100
		return &v, c.Receipts + c.Refunds
	case "consultations":
		v := f(c.Consultations)
		return &v, c.Consultations
	case "conversion":
		return div(100*f(c.Receipts-c.Refunds), f(c.Visitors)), c.Visitors
	case "coverage":
		return div(100*f(c.Consultations), f(c.Visitors)), c.Visitors
	case "avg_receipt":
		net := c.Receipts - c.Refunds
		if net <= 0 {
			return nil, max(net, 0)
		}
		return div(f(c.RevenueCents)/100, f(net)), net
	case "items_per_receipt":
		net := c.Receipts - c.Refunds
		if net <= 0 {
			return nil, max(net, 0)
		}
		return div(f(c.Items), f(net)), net
	}
	panic(name)
}

// wantStarts are the bucket starts, computed the plain way: back from from to a multiple of the step
// since the Unix epoch for sub-day steps (time.Truncate counts from year 1, which differs for steps such
// as 7 minutes), the calendar in the zone for day steps.
func wantStarts(from, to time.Time, st Step, tz *time.Location) []time.Time {
	var out []time.Time
	switch {
	case st.Minutes > 0:
		d := time.Duration(st.Minutes) * time.Minute
		for t := from.Add(-time.Duration(from.Unix()%int64(d/time.Second)) * time.Second); t.Before(to); t = t.Add(d) {
			out = append(out, t.UTC())
		}
	case st.Days > 0:
		l := from.In(tz)
		t := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, tz)
		if st.Days == 7 {
			for t.Weekday() != time.Monday {
				t = t.AddDate(0, 0, -1)
			}
		}
		for ; t.Before(to); t = t.AddDate(0, 0, st.Days) {
			out = append(out, t.UTC())
		}
	default:
		out = []time.Time{from.UTC()}
	}
	return out
}

type wantSeries struct {
	location, region, kpi string
	starts                []time.Time
	sums                  []kpi.Components
}

// expect sums the generated rows into the series a request should answer, by brute force over every row.
func expect(rows []minuteRow, locs []config.Location, r Request) map[[3]string]*wantSeries {
	sel := map[string]config.Location{}
	for _, l := range locs {
		if len(r.Locations) == 0 && len(r.Regions) == 0 || slices.Contains(r.Locations, l.ID) || slices.Contains(r.Regions, l.Region) {
			sel[l.ID] = l
		}
	}
	out := map[[3]string]*wantSeries{}
	for _, row := range rows {
		l, ok := sel[row.location]
		if !ok || row.minute.Before(r.From) || !row.minute.Before(r.To) {
			continue
		}
		tz, _ := time.LoadLocation(l.TimeZone)
		if r.TimeZone != nil {
			tz = r.TimeZone
		}
		var loc, reg string
		switch r.Group {
		case GroupRegion:
			reg = l.Region
		case GroupAll:
		default:
			loc, reg = l.ID, l.Region
		}
		for _, k := range r.KPIs {
			key := [3]string{loc, reg, k}
			s := out[key]
			if s == nil {
				s = &wantSeries{location: loc, region: reg, kpi: k, starts: wantStarts(r.From, r.To, r.Step, tz)}
				s.sums = make([]kpi.Components, len(s.starts))
				out[key] = s
			}
			i := len(s.starts) - 1
			for i > 0 && s.starts[i].After(row.minute) {
				i--
			}
			merge(&s.sums[i], &row.c)
		}
	}
	return out
}

func near(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}

func checkResult(t *testing.T, got *Result, want map[[3]string]*wantSeries) {
	t.Helper()
	seen := 0
	for _, s := range got.Series {
		w := want[[3]string{s.Location, s.Region, s.KPI}]
		if w == nil {
			// A selected series without any row: every point must be empty.
			for _, p := range s.Points {
				if p.N != 0 || p.Value != nil {
					t.Errorf("%s/%s/%s at %s: n=%d value=%v, want an empty point", s.Location, s.Region, s.KPI, p.Time, p.N, p.Value)
				}
			}
			continue
		}
		seen++
		if len(s.Points) != len(w.starts) {
			t.Errorf("%s/%s/%s: %d points, want %d", s.Location, s.Region, s.KPI, len(s.Points), len(w.starts))
			continue
		}
		for i, p := range s.Points {
			if !p.Time.Equal(w.starts[i]) {
				t.Errorf("%s/%s/%s point %d: time %s, want %s", s.Location, s.Region, s.KPI, i, p.Time, w.starts[i])
				continue
			}
			if pruned(*p.Components, s.KPI) != pruned(w.sums[i], s.KPI) {
				t.Errorf("%s/%s/%s at %s: components %+v, want %+v", s.Location, s.Region, s.KPI, p.Time, pruned(*p.Components, s.KPI), pruned(w.sums[i], s.KPI))
			}
			wv, wn := wantValue(s.KPI, w.sums[i])
			if p.N != wn {
				t.Errorf("%s/%s/%s at %s: n=%d, want %d", s.Location, s.Region, s.KPI, p.Time, p.N, wn)
			}
			switch {
			case (p.Value == nil) != (wv == nil):
				t.Errorf("%s/%s/%s at %s: value %v, want %v", s.Location, s.Region, s.KPI, p.Time, p.Value, wv)
			case wv != nil && !near(*p.Value, *wv):
				t.Errorf("%s/%s/%s at %s: value %v, want %v", s.Location, s.Region, s.KPI, p.Time, *p.Value, *wv)
			}
			if p.Low != nil && p.High != nil && p.Value != nil && (*p.Low > *p.Value+1e-9 || *p.High < *p.Value-1e-9) {
				t.Errorf("%s/%s/%s at %s: interval [%v, %v] does not hold the value %v", s.Location, s.Region, s.KPI, p.Time, *p.Low, *p.High, *p.Value)
			}
		}
	}
	if seen != len(want) {
		t.Errorf("answered %d of the %d series that have data", seen, len(want))
	}
}

// pruned keeps only the components the KPI reads (the engine reads no more columns than needed).
func pruned(c kpi.Components, name string) kpi.Components {
	var out kpi.Components
	for _, col := range needsOf(name) {
		i := columnIndex[col]
		*columns[i].Field(&out) = *columns[i].Field(&c)
	}
	return out
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestKPIsAgainstIndependentSums(t *testing.T) {
	conn, db := testDB(t)
	dataFrom, dataTo := mustTime("2026-03-04T00:00:00Z"), mustTime("2026-03-11T00:00:00Z")
	rows := genMinutes(1, testLocations, dataFrom, dataTo)
	insertMinutes(t, conn, db, rows, 4000)
	e := New(conn, db, testLocations, Limits{Timeout: 30 * time.Second, MaxPoints: 200000})
	all := kpi.Names
	ny, _ := time.LoadLocation("America/New_York")

	for _, tc := range []struct {
		name string
		r    Request
	}{
		{"totals, all KPIs, every location", Request{KPIs: all, From: dataFrom, To: dataTo}},
		{"totals, ragged minutes at both ends", Request{KPIs: all, From: mustTime("2026-03-05T10:17:00Z"), To: mustTime("2026-03-09T03:44:00Z")}},
		{"shorter than an hour, inside one hour", Request{KPIs: all, From: mustTime("2026-03-05T10:17:00Z"), To: mustTime("2026-03-05T10:44:00Z")}},
		{"hourly with ragged edges", Request{KPIs: []string{"nps", "conversion", "avg_receipt"}, From: mustTime("2026-03-05T10:17:00Z"), To: mustTime("2026-03-06T13:44:00Z"), Step: Step{Minutes: 60}}},
		{"3-hourly", Request{KPIs: []string{"csat", "revenue"}, From: mustTime("2026-03-05T00:00:00Z"), To: mustTime("2026-03-07T00:00:00Z"), Step: Step{Minutes: 180}}},
		{"5-minute step, ragged end", Request{KPIs: all, Locations: []string{"msk-1"}, From: mustTime("2026-03-06T09:00:00Z"), To: mustTime("2026-03-06T15:02:00Z"), Step: Step{Minutes: 5}}},
		{"5-minute step, whole days from the 5-minute rollup", Request{KPIs: all, Locations: []string{"msk-1"}, From: mustTime("2026-03-05T00:00:00Z"), To: mustTime("2026-03-08T00:00:00Z"), Step: Step{Minutes: 5}}},
		{"5-minute step, ragged edges on both sides, every location", Request{KPIs: all, From: mustTime("2026-03-05T22:58:00Z"), To: mustTime("2026-03-07T01:13:00Z"), Step: Step{Minutes: 5}}},
		{"10-minute step, ragged", Request{KPIs: []string{"nps", "revenue", "like_index"}, From: mustTime("2026-03-06T09:03:00Z"), To: mustTime("2026-03-08T11:57:00Z"), Step: Step{Minutes: 10}}},
		{"15-minute step, group=region", Request{KPIs: []string{"csat", "conversion"}, Group: GroupRegion, From: mustTime("2026-03-04T00:00:00Z"), To: mustTime("2026-03-06T00:04:00Z"), Step: Step{Minutes: 15}}},
		{"5-minute step, group=all", Request{KPIs: []string{"ces", "visitors"}, Group: GroupAll, From: mustTime("2026-03-09T06:01:00Z"), To: mustTime("2026-03-09T18:00:00Z"), Step: Step{Minutes: 5}}},
		{"7-minute step, minutes only", Request{KPIs: []string{"smile_index", "receipts"}, From: mustTime("2026-03-06T09:03:00Z"), To: mustTime("2026-03-06T20:00:00Z"), Step: Step{Minutes: 7}}},
		{"90-minute step", Request{KPIs: []string{"smile_index"}, From: mustTime("2026-03-06T09:00:00Z"), To: mustTime("2026-03-07T15:00:00Z"), Step: Step{Minutes: 90}}},
		{"daily in each location's zone (Moscow 21:00Z, Kolkata 18:30Z, Kathmandu 18:15Z, New York across DST)", Request{KPIs: all, From: dataFrom, To: dataTo, Step: Step{Days: 1}}},
		{"daily with ragged edges", Request{KPIs: []string{"nps", "like_index", "items_per_receipt"}, From: mustTime("2026-03-04T17:41:00Z"), To: mustTime("2026-03-10T22:13:00Z"), Step: Step{Days: 1}}},
		{"daily in Kolkata from its midnight: cut hours and edges from the 5-minute rollup", Request{KPIs: all, Locations: []string{"del-1"}, From: mustTime("2026-03-04T18:30:00Z"), To: mustTime("2026-03-09T18:30:00Z"), Step: Step{Days: 1}}},
		{"daily in Kathmandu, ragged edges not on 5 minutes", Request{KPIs: all, Locations: []string{"ktm-1"}, From: mustTime("2026-03-04T18:13:00Z"), To: mustTime("2026-03-09T18:17:00Z"), Step: Step{Days: 1}}},
		{"group=all, daily in Kolkata's zone", Request{KPIs: []string{"nps", "revenue"}, Group: GroupAll, TimeZone: mustZone(t, "Asia/Kolkata"), From: mustTime("2026-03-04T18:30:00Z"), To: mustTime("2026-03-10T18:30:00Z"), Step: Step{Days: 1}}},
		{"weekly from Monday", Request{KPIs: []string{"coverage", "ces"}, From: dataFrom, To: dataTo, Step: Step{Days: 7}}},
		{"region by id", Request{KPIs: []string{"nps", "visitors"}, Regions: []string{"central"}, From: dataFrom, To: dataTo, Step: Step{Days: 1}}},
		{"group=region, hourly", Request{KPIs: []string{"nps", "conversion"}, Group: GroupRegion, From: mustTime("2026-03-05T10:17:00Z"), To: mustTime("2026-03-06T13:44:00Z"), Step: Step{Minutes: 60}}},
		{"group=region, daily (one zone per region)", Request{KPIs: []string{"receipts"}, Group: GroupRegion, From: dataFrom, To: dataTo, Step: Step{Days: 1}}},
		{"group=all, totals", Request{KPIs: all, Group: GroupAll, From: dataFrom, To: dataTo}},
		{"group=all, daily in New York's zone", Request{KPIs: []string{"nps", "revenue"}, Group: GroupAll, TimeZone: ny, From: dataFrom, To: dataTo, Step: Step{Days: 1}}},
		{"two locations by id", Request{KPIs: []string{"csat"}, Locations: []string{"del-1", "ny-1"}, From: dataFrom, To: dataTo, Step: Step{Days: 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := e.KPIs(context.Background(), tc.r)
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, got, expect(rows, testLocations, tc.r))
		})
	}

	t.Run("empty range: value null, n 0", func(t *testing.T) {
		got, err := e.KPIs(context.Background(), Request{KPIs: all, Locations: []string{"msk-1"}, From: mustTime("2026-04-01T00:00:00Z"), To: mustTime("2026-04-03T00:00:00Z"), Step: Step{Days: 1}})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Series) != len(all) {
			t.Fatalf("%d series, want %d", len(got.Series), len(all))
		}
		for _, s := range got.Series {
			// Moscow days: 2026-03-31T21:00Z (partly before from), 04-01T21:00Z, 04-02T21:00Z.
			if len(s.Points) != 3 || !s.Points[0].Time.Equal(mustTime("2026-03-31T21:00:00Z")) {
				t.Fatalf("%s: points %+v", s.KPI, s.Points)
			}
			for _, p := range s.Points {
				if p.Value != nil || p.N != 0 || p.Low != nil || p.High != nil {
					t.Errorf("%s at %s: %+v, want null value, n 0", s.KPI, p.Time, p)
				}
			}
		}
	})

	t.Run("aggregated days over several zones need tz", func(t *testing.T) {
		_, err := e.KPIs(context.Background(), Request{KPIs: []string{"nps"}, Group: GroupAll, From: dataFrom, To: dataTo, Step: Step{Days: 1}})
		var in *InputError
		if !errors.As(err, &in) || in.Param != "tz" {
			t.Fatalf("got %v, want an InputError naming tz", err)
		}
	})
}

// group=all reads the network-wide rollup kpi_hour_total only when no location outside the selection has
// data in the range; otherwise (a location missing from the registry, or a narrower selection) it sums
// kpi_hour per selected location. Both must give the independent sums of the selected locations only.
func TestGroupAllTotalsOnlyWhenExact(t *testing.T) {
	conn, db := testDB(t)
	dataFrom, dataTo := mustTime("2026-06-01T00:00:00Z"), mustTime("2026-06-04T00:00:00Z")
	rows := genMinutes(11, testLocations, dataFrom, dataTo)
	// A location the registry does not know has data on the last day only.
	ghost := genMinutes(12, []config.Location{{ID: "ghost-1"}}, mustTime("2026-06-03T00:00:00Z"), dataTo)
	insertMinutes(t, conn, db, append(append([]minuteRow{}, rows...), ghost...), 3000)
	e := New(conn, db, testLocations, Limits{Timeout: 30 * time.Second})
	kpis := []string{"nps", "conversion", "revenue", "smile_index"}
	kolkata := mustZone(t, "Asia/Kolkata")
	for _, tc := range []struct {
		name string
		r    Request
	}{
		{"every registered location, no other data in range: totals rollup", Request{KPIs: kpis, Group: GroupAll, From: dataFrom, To: mustTime("2026-06-02T23:00:00Z"), Step: Step{Minutes: 60}}},
		{"totals rollup with ragged minutes", Request{KPIs: kpis, Group: GroupAll, From: mustTime("2026-06-01T03:17:00Z"), To: mustTime("2026-06-02T20:41:00Z"), Step: Step{Minutes: 180}}},
		{"an unregistered location has data in range", Request{KPIs: kpis, Group: GroupAll, From: dataFrom, To: dataTo, Step: Step{Minutes: 60}}},
		{"unregistered data on the edge day only", Request{KPIs: kpis, Group: GroupAll, From: mustTime("2026-06-02T00:00:00Z"), To: mustTime("2026-06-03T00:30:00Z")}},
		{"two of the locations", Request{KPIs: kpis, Group: GroupAll, Locations: []string{"msk-1", "ekb-1"}, From: dataFrom, To: mustTime("2026-06-02T23:00:00Z"), Step: Step{Minutes: 60}}},
		{"totals rollup, days in Kolkata's zone (cut hours from the 5-minute rollup)", Request{KPIs: kpis, Group: GroupAll, TimeZone: kolkata, From: mustTime("2026-05-31T18:30:00Z"), To: mustTime("2026-06-02T18:30:00Z"), Step: Step{Days: 1}}},
		{"days in Kolkata's zone, an unregistered location has data in range", Request{KPIs: kpis, Group: GroupAll, TimeZone: kolkata, From: mustTime("2026-05-31T18:30:00Z"), To: mustTime("2026-06-03T18:30:00Z"), Step: Step{Days: 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := e.KPIs(context.Background(), tc.r)
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, got, expect(rows, testLocations, tc.r))
		})
	}
}
