package query

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	z, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// levelString is a level in the tests' notation: "kpi_5m [09:05, 15:00)" with "-18:00" per cut period,
// times in UTC as "15:04", or "01-02T15:04" when the range spans days.
func levelString(l level, long bool) string {
	f := func(t time.Time) string {
		if long {
			return t.UTC().Format("01-02T15:04")
		}
		return t.UTC().Format("15:04")
	}
	s := l.name + " [" + f(l.from) + ", " + f(l.to) + ")"
	for _, c := range l.cut {
		s += " -" + f(c)
	}
	return s
}

func TestPlanLevels(t *testing.T) {
	kolkata, kathmandu, moscow := mustZone(t, "Asia/Kolkata"), mustZone(t, "Asia/Kathmandu"), mustZone(t, "Europe/Moscow")
	odd := time.FixedZone("+05:33", 5*3600+33*60) // no zone has it today; historical offsets had such minutes
	for _, tc := range []struct {
		name     string
		from, to string
		step     Step
		tz       *time.Location
		long     bool
		want     []string
	}{
		{"5-minute step, whole 5 minutes: the 5-minute rollup alone", "2026-03-08T00:00:00Z", "2026-03-15T00:00:00Z", Step{Minutes: 5}, time.UTC, true,
			[]string{"kpi_5m [03-08T00:00, 03-15T00:00)"}},
		{"5-minute step, ragged edges from minutes", "2026-03-06T09:03:00Z", "2026-03-06T15:02:00Z", Step{Minutes: 5}, time.UTC, false,
			[]string{"kpi_5m [09:05, 15:00)", "kpi_minute [09:03, 15:02)"}},
		{"10-minute step", "2026-03-06T09:00:00Z", "2026-03-06T15:00:00Z", Step{Minutes: 10}, time.UTC, false,
			[]string{"kpi_5m [09:00, 15:00)"}},
		{"90-minute step", "2026-03-06T09:00:00Z", "2026-03-07T15:00:00Z", Step{Minutes: 90}, time.UTC, false,
			[]string{"kpi_5m [09:00, 15:00)"}},
		{"7-minute step: minutes only", "2026-03-06T09:00:00Z", "2026-03-06T15:00:00Z", Step{Minutes: 7}, time.UTC, false,
			[]string{"kpi_minute [09:00, 15:00)"}},
		{"5-minute step shorter than 5 minutes", "2026-03-06T09:01:00Z", "2026-03-06T09:04:00Z", Step{Minutes: 5}, time.UTC, false,
			[]string{"kpi_minute [09:01, 09:04)"}},
		{"hourly, whole hours", "2026-03-06T09:00:00Z", "2026-03-06T15:00:00Z", Step{Minutes: 60}, time.UTC, false,
			[]string{"kpi_hour [09:00, 15:00)"}},
		{"hourly, ragged edges from minutes, no 5-minute rollup for edges alone", "2026-03-05T10:17:00Z", "2026-03-06T13:44:00Z", Step{Minutes: 60}, time.UTC, true,
			[]string{"kpi_hour [03-05T11:00, 03-06T13:00)", "kpi_minute [03-05T10:17, 03-06T13:44)"}},
		{"whole range, shorter than an hour", "2026-03-05T10:17:00Z", "2026-03-05T10:44:00Z", Step{}, time.UTC, false,
			[]string{"kpi_minute [10:17, 10:44)"}},
		{"whole range, ragged", "2026-03-05T10:17:00Z", "2026-03-09T03:44:00Z", Step{}, time.UTC, true,
			[]string{"kpi_hour [03-05T11:00, 03-09T03:00)", "kpi_minute [03-05T10:17, 03-09T03:44)"}},
		{"days in Moscow: whole hours", "2026-03-04T21:00:00Z", "2026-03-07T21:00:00Z", Step{Days: 1}, moscow, true,
			[]string{"kpi_hour [03-04T21:00, 03-07T21:00)"}},
		{"days in Kolkata (+05:30): the cut hours from 5 minutes, and the half-hour edges", "2026-03-04T18:30:00Z", "2026-03-07T18:30:00Z", Step{Days: 1}, kolkata, true,
			[]string{"kpi_hour [03-04T19:00, 03-07T18:00) -03-05T18:00 -03-06T18:00", "kpi_5m [03-04T18:30, 03-07T18:30)"}},
		{"days in Kathmandu (+05:45)", "2026-03-04T00:00:00Z", "2026-03-06T00:00:00Z", Step{Days: 1}, kathmandu, true,
			[]string{"kpi_hour [03-04T00:00, 03-06T00:00) -03-04T18:00 -03-05T18:00", "kpi_5m [03-04T00:00, 03-06T00:00)"}},
		{"days in Kolkata, ragged edges", "2026-03-04T17:41:00Z", "2026-03-06T22:13:00Z", Step{Days: 1}, kolkata, true,
			[]string{"kpi_hour [03-04T18:00, 03-06T22:00) -03-04T18:00 -03-05T18:00 -03-06T18:00", "kpi_5m [03-04T17:45, 03-06T22:10)", "kpi_minute [03-04T17:41, 03-06T22:13)"}},
		{"days in Kolkata, one cut hour only: no hourly table", "2026-03-04T18:00:00Z", "2026-03-04T19:00:00Z", Step{Days: 1}, kolkata, false,
			[]string{"kpi_5m [18:00, 19:00)"}},
		{"days at +05:33: the 5 minutes a boundary cuts from minutes", "2026-03-04T00:00:00Z", "2026-03-06T00:00:00Z", Step{Days: 1}, odd, true,
			[]string{"kpi_hour [03-04T00:00, 03-06T00:00) -03-04T18:00 -03-05T18:00", "kpi_5m [03-04T00:00, 03-06T00:00) -03-04T18:25 -03-05T18:25", "kpi_minute [03-04T00:00, 03-06T00:00)"}},
		{"weeks in Kolkata", "2026-03-02T00:00:00Z", "2026-03-23T00:00:00Z", Step{Days: 7}, kolkata, true,
			[]string{"kpi_hour [03-02T00:00, 03-23T00:00) -03-08T18:00 -03-15T18:00 -03-22T18:00", "kpi_5m [03-02T00:00, 03-23T00:00)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from, to := mustTime(tc.from), mustTime(tc.to)
			b := bucketing{step: tc.step, tz: tc.tz, from: from}
			var got []string
			for _, l := range planLevels(from, to, b, b.starts(from, to)) {
				got = append(got, levelString(l, tc.long))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("levels\n got  %q\n want %q", got, tc.want)
			}
			checkPlan(t, from, to, b)
		})
	}
}

// checkPlan checks the plan's promise minute by minute: every minute of [from, to) is read from exactly
// one table, and no period read from a rollup has a bucket boundary inside it. reads mirrors levelWhere.
func checkPlan(t *testing.T, from, to time.Time, b bucketing) {
	t.Helper()
	bounds := b.starts(from, to)
	levels := planLevels(from, to, b, bounds)
	answers := func(l level, m time.Time) bool { // the period of l holding m is in l's "[from, to) minus cut"
		p := floorTime(m, l.period)
		return !p.Before(l.from) && p.Before(l.to) && !slices.ContainsFunc(l.cut, p.Equal)
	}
	reads := func(i int, m time.Time) bool {
		return answers(levels[i], m) && (i == 0 || !answers(levels[i-1], m))
	}
	cut := func(p time.Time, period int64) bool {
		end := p.Add(time.Duration(period) * time.Second)
		return slices.ContainsFunc(bounds, func(x time.Time) bool { return x.After(p) && x.Before(end) })
	}
	for i, l := range levels {
		if !l.from.Before(l.to) || l.from.Unix()%l.period != 0 || l.to.Unix()%l.period != 0 {
			t.Fatalf("level %s: span not whole periods", levelString(l, true))
		}
		if i > 0 && levels[i-1].periods()*levels[i-1].period >= l.periods()*l.period {
			t.Errorf("level %s reads nothing the coarser levels do not", levelString(l, true))
		}
	}
	for m := from; m.Before(to); m = m.Add(time.Minute) {
		n := 0
		for i, l := range levels {
			if !reads(i, m) {
				continue
			}
			n++
			if l.table != minuteTable && cut(floorTime(m, l.period), l.period) {
				t.Fatalf("%s: minute %s is read from the %s period %s, which a bucket boundary cuts", levelString(l, true), m, l.name, floorTime(m, l.period))
			}
		}
		if n != 1 {
			t.Fatalf("minute %s is read from %d tables, want 1 (levels %v)", m, n, levels)
		}
	}
	// Nothing outside the range is read.
	for i, l := range levels {
		for _, m := range []time.Time{from.Add(-time.Minute), to} {
			if reads(i, m) {
				t.Fatalf("%s reads minute %s, outside [%s, %s)", levelString(l, true), m, from, to)
			}
		}
	}
}

// TestPlanLevelsCoverEveryMinuteOnce runs checkPlan over random ranges, steps and zones, including New
// York's DST change (2026-03-08) and an offset that is not a multiple of 5 minutes.
func TestPlanLevelsCoverEveryMinuteOnce(t *testing.T) {
	zones := []*time.Location{time.UTC, mustZone(t, "Europe/Moscow"), mustZone(t, "Asia/Kolkata"), mustZone(t, "Asia/Kathmandu"),
		mustZone(t, "America/New_York"), mustZone(t, "Australia/Lord_Howe"), time.FixedZone("+05:33", 5*3600+33*60)}
	steps := []Step{{}, {Minutes: 1}, {Minutes: 5}, {Minutes: 7}, {Minutes: 10}, {Minutes: 15}, {Minutes: 45}, {Minutes: 60},
		{Minutes: 90}, {Minutes: 180}, {Days: 1}, {Days: 7}}
	rng := rand.New(rand.NewPCG(5, 5))
	base := mustTime("2026-03-05T00:00:00Z")
	n := 300
	if testing.Short() {
		n = 50
	}
	for range n {
		from := base.Add(time.Duration(rng.IntN(6*24*60)) * time.Minute)
		to := from.Add(time.Duration(1+rng.IntN(4*24*60)) * time.Minute)
		st := steps[rng.IntN(len(steps))]
		tz := zones[rng.IntN(len(zones))]
		t.Run(fmt.Sprintf("%s_%s_%s_%s", from.Format("0102T1504"), to.Format("0102T1504"), stepName(st), strings.ReplaceAll(tz.String(), "/", "_")), func(t *testing.T) {
			checkPlan(t, from, to, bucketing{step: st, tz: tz, from: from})
		})
	}
}

// TestBuildKPIQuery checks the statement's shape for the plans above: one table without an outer sum, the
// tables in plan order, the hourly total table only with total, and one argument per placeholder.
func TestBuildKPIQuery(t *testing.T) {
	kolkata := mustZone(t, "Asia/Kolkata")
	one := group{tz: time.UTC, members: []member{{id: "loc-1", key: "loc-1", tz: time.UTC}}}
	two := group{tz: kolkata, members: []member{{id: "del-1", key: "del-1", tz: kolkata}, {id: "del-2", key: "del-2", tz: kolkata}}}
	cols, err := columnsFor([]string{"nps", "conversion"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		g      group
		r      Request
		total  bool
		tables []string
		hours  bool
	}{
		{"one location, 5-minute step, whole week", one, Request{Group: GroupLocation, From: mustTime("2026-03-08T00:00:00Z"), To: mustTime("2026-03-15T00:00:00Z"), Step: Step{Minutes: 5}},
			false, []string{"kpi_5m"}, false},
		{"one location, 5-minute step, ragged", one, Request{Group: GroupLocation, From: mustTime("2026-03-08T00:03:00Z"), To: mustTime("2026-03-15T00:00:00Z"), Step: Step{Minutes: 5}},
			false, []string{"kpi_5m", "kpi_minute"}, false},
		{"days in Kolkata, ragged, by location", two, Request{Group: GroupLocation, From: mustTime("2026-03-04T17:41:00Z"), To: mustTime("2026-03-06T22:13:00Z"), Step: Step{Days: 1}},
			false, []string{"kpi_hour", "kpi_5m", "kpi_minute"}, true},
		{"days in Kolkata, group=all from the total table", two, Request{Group: GroupAll, From: mustTime("2026-03-04T18:30:00Z"), To: mustTime("2026-03-07T18:30:00Z"), Step: Step{Days: 1}},
			true, []string{"kpi_hour_total", "kpi_5m"}, true},
		{"group=all, whole hours", one, Request{Group: GroupAll, From: mustTime("2026-03-04T00:00:00Z"), To: mustTime("2026-03-07T00:00:00Z"), Step: Step{Minutes: 60}},
			true, []string{"kpi_hour_total"}, true},
		{"group=region, 15-minute step, ragged", two, Request{Group: GroupRegion, From: mustTime("2026-03-04T17:41:00Z"), To: mustTime("2026-03-04T22:13:00Z"), Step: Step{Minutes: 15}},
			false, []string{"kpi_5m", "kpi_minute"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := buildKPIQuery("cxm", tc.g, &tc.r, cols, tc.total)
			var got []string
			for _, part := range strings.Split(q.SQL, " FROM `cxm`.")[1:] {
				got = append(got, part[:strings.IndexByte(part, ' ')])
			}
			if !slices.Equal(got, tc.tables) {
				t.Errorf("tables %q, want %q:\n%s", got, tc.tables, q.SQL)
			}
			if outer := strings.Contains(q.SQL, " FROM (\n"); outer != (len(tc.tables) > 1) {
				t.Errorf("outer sum %v with %d tables:\n%s", outer, len(tc.tables), q.SQL)
			}
			// A key column only when rows have different keys (not for one location or group=all).
			keyed := tc.r.Group == GroupRegion || tc.r.Group == GroupLocation && len(tc.g.members) > 1
			if q.keyed != keyed || strings.Contains(q.SQL, " AS key, ") != keyed || !keyed && q.key != map[Group]string{GroupAll: "", GroupLocation: tc.g.members[0].key}[tc.r.Group] {
				t.Errorf("keyed %v key %q, want keyed %v:\n%s", q.keyed, q.key, keyed, q.SQL)
			}
			if n := strings.Count(q.SQL, "?"); n != len(q.Args) {
				t.Errorf("%d placeholders, %d arguments:\n%s", n, len(q.Args), q.SQL)
			}
			if (!q.hoursFrom.IsZero()) != tc.hours {
				t.Errorf("hours [%s, %s), want hours %v", q.hoursFrom, q.hoursTo, tc.hours)
			}
			if c := strings.Count(q.SQL, "location IN ?"); c != len(tc.tables)-btoi(tc.total) {
				t.Errorf("%d location filters for %d tables (total %v):\n%s", c, len(tc.tables), tc.total, q.SQL)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
