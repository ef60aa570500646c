package query

import (
	"context"
	"fmt"
	"testing"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
)

func BenchmarkZZProfile(b *testing.B) {
	conn, locs := benchConn(b)
	e := New(conn, benchDB, locs, Limits{Timeout: time.Minute})
	ctx := ch.Context(context.Background(), ch.WithSettings(ch.Settings{"log_queries": 1}))
	from, to := benchStart, benchStart.AddDate(0, 0, benchDays)
	req := Request{KPIs: []string{"nps", "conversion"}, Group: GroupAll, From: from, To: to, Step: Step{Minutes: 60}}
	req2 := Request{KPIs: KPINames, Locations: []string{"loc-1"}, From: benchStart.AddDate(0, 0, 7), To: benchStart.AddDate(0, 0, 14), Step: Step{Minutes: 5}}
	for i := 0; i < 3; i++ {
		t := time.Now()
		if _, err := e.KPIs(ctx, req); err != nil {
			b.Fatal(err)
		}
		t1 := time.Since(t)
		t = time.Now()
		if _, err := e.KPIs(ctx, req2); err != nil {
			b.Fatal(err)
		}
		t2 := time.Since(t)
		t = time.Now()
		drain(b, conn, rawHourlySQL, from, to)
		t3 := time.Since(t)
		t = time.Now()
		drain(b, conn, rawAllKPIsSQL, "loc-1", req2.From, req2.To)
		t4 := time.Since(t)
		fmt.Println(t1, t2, t3, t4)
	}
}
