package query

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/internal/testutil"
)

// minuteRow is one delta row of kpi_minute as the tests generate it.
type minuteRow struct {
	location string
	minute   time.Time
	c        kpi.Components
}

// testDB is a fresh database with every migration applied: the engine is tested on the real schema.
func testDB(t testing.TB) (driver.Conn, string) {
	t.Helper()
	conn, cfg := testutil.ClickHouse(t)
	return conn, cfg.Database
}

// insertMinutes writes rows to kpi_minute in batches of batch rows, as the processor would (the hourly
// rollup then sees several insert blocks).
func insertMinutes(t testing.TB, conn driver.Conn, db string, rows []minuteRow, batch int) {
	t.Helper()
	for start := 0; start < len(rows); start += batch {
		chunk := rows[start:min(start+batch, len(rows))]
		out := make([]testutil.MinuteRow, len(chunk))
		for i, r := range chunk {
			out[i] = testutil.MinuteRow{Location: r.location, Minute: r.minute, C: r.c}
		}
		testutil.InsertMinutes(t, conn, db, out...)
	}
}

// randomComponents are plausible minute deltas; zero-heavy like real minutes.
func randomComponents(rng *rand.Rand) kpi.Components {
	var c kpi.Components
	small := func(n int) int64 {
		if rng.IntN(3) == 0 {
			return 0
		}
		return int64(rng.IntN(n))
	}
	c.Promoters, c.Passives, c.Detractors, c.NPSMissing = small(4), small(3), small(3), small(2)
	c.CSATN = small(5)
	c.CSATTop2 = int64(rng.IntN(int(c.CSATN) + 1))
	c.CESN = small(4)
	for range c.CESN {
		x := int64(1 + rng.IntN(7))
		c.CESSum += x
		c.CESSumSq += x * x
	}
	for range small(5) {
		scale := 3 + rng.IntN(3)
		v := 1 + rng.IntN(scale)
		s12 := int64((v - 1) * 12 / (scale - 1))
		c.SmileSum12 += s12
		c.SmileSumSq144 += s12 * s12
		c.SmileN++
		c.SmileFaces[v-1]++
	}
	c.Likes, c.Dislikes = small(4), small(3)
	c.Visitors, c.Exits = small(20), small(20)
	c.Receipts, c.Refunds = small(6), small(2)
	c.Items = c.Receipts*int64(1+rng.IntN(4)) - c.Refunds
	c.RevenueCents = c.Receipts*int64(100+rng.IntN(900000)) - c.Refunds*int64(rng.IntN(5000))
	c.Consultations = small(8)
	c.Surveys = c.Promoters + c.Passives + c.Detractors + c.NPSMissing
	return c
}

// testLocations cover zones whose day boundaries are 21:00Z (Moscow), 19:00Z (Yekaterinburg), 18:30Z
// (Kolkata) and 18:15Z (Kathmandu), not whole hours, and 05:00Z/04:00Z (New York, across the 2026-03-08
// DST change).
var testLocations = []config.Location{
	{ID: "msk-1", Region: "central", TimeZone: "Europe/Moscow", Latitude: 55.7, Longitude: 37.6, Name: "Moscow 1"},
	{ID: "msk-2", Region: "central", TimeZone: "Europe/Moscow", Latitude: 55.8, Longitude: 37.5, Name: "Moscow 2"},
	{ID: "ekb-1", Region: "ural", TimeZone: "Asia/Yekaterinburg", Latitude: 56.8, Longitude: 60.6, Name: "Yekaterinburg"},
	{ID: "del-1", Region: "south", TimeZone: "Asia/Kolkata", Latitude: 28.6, Longitude: 77.2, Name: "Delhi"},
	{ID: "ny-1", Region: "us", TimeZone: "America/New_York", Latitude: 40.7, Longitude: -74.0, Name: "New York"},
	{ID: "ktm-1", Region: "himalaya", TimeZone: "Asia/Kathmandu", Latitude: 27.7, Longitude: 85.3, Name: "Kathmandu"},
}

// genMinutes makes rows for every location over [from, to): a row in about a third of the minutes, and a
// second delta row for some minutes (the processor may write a minute twice, e.g. late data).
func genMinutes(seed uint64, locs []config.Location, from, to time.Time) []minuteRow {
	rng := rand.New(rand.NewPCG(seed, 42))
	var rows []minuteRow
	for _, l := range locs {
		for m := from; m.Before(to); m = m.Add(time.Minute) {
			if rng.IntN(3) != 0 {
				continue
			}
			rows = append(rows, minuteRow{l.ID, m, randomComponents(rng)})
			if rng.IntN(10) == 0 {
				rows = append(rows, minuteRow{l.ID, m, randomComponents(rng)})
			}
		}
	}
	rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	return rows
}

// merge adds o into c, column by column: the tests' independent sums.
func merge(c, o *kpi.Components) {
	for _, col := range kpi.Columns {
		*col.Field(c) += *col.Field(o)
	}
}

// needsOf is needs without the ok.
func needsOf(name string) []string {
	cols, _ := needs(name)
	return cols
}
