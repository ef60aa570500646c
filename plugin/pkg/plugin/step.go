package plugin

import (
	"time"

	"github.com/cxm-project/cxm/internal/query"
)

// niceSteps are the steps a time series uses, so buckets line up with clock hours and days (and hour
// multiples read the engine's hourly rollup); past a week, whole weeks.
var niceSteps = []query.Step{
	{Minutes: 1}, {Minutes: 2}, {Minutes: 5}, {Minutes: 10}, {Minutes: 15}, {Minutes: 30},
	{Minutes: 60}, {Minutes: 120}, {Minutes: 180}, {Minutes: 360}, {Minutes: 720},
	{Days: 1}, {Days: 2}, {Days: 7},
}

func stepDuration(s query.Step) time.Duration {
	return time.Duration(s.Minutes)*time.Minute + time.Duration(s.Days)*24*time.Hour
}

// ChooseStep is the time series step: the smallest nice step that is at least the panel's interval and
// gives at most maxDataPoints buckets over [from, to).
func ChooseStep(interval time.Duration, from, to time.Time, maxDataPoints int64) query.Step {
	want := interval
	if maxDataPoints > 0 {
		if byPoints := to.Sub(from) / time.Duration(maxDataPoints); byPoints > want {
			want = byPoints
		}
	}
	for _, s := range niceSteps {
		if stepDuration(s) >= want {
			return s
		}
	}
	weeks := (want + 7*24*time.Hour - 1) / (7 * 24 * time.Hour)
	return query.Step{Days: 7 * int(weeks)}
}

// minuteRange widens Grafana's range to whole minutes, the resolution of the stored components: from
// down, to up, so the panel's range is covered.
func minuteRange(from, to time.Time) (time.Time, time.Time) {
	f := from.UTC().Truncate(time.Minute)
	t := to.UTC().Truncate(time.Minute)
	if t.Before(to) {
		t = t.Add(time.Minute)
	}
	return f, t
}
