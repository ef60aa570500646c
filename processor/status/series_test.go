package status_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/processor/status"
)

// TestMetricsModes counts the series kpi.metrics keeps: four locations, windows 15m and 1h, store-001's
// NPS red. all exports every value, sample size, status and threshold; statuses drops values and sample
// sizes; red keeps only store-001's NPS (its red indicator, thresholds, value and sample size per window),
// and nothing once that light has left red. Series (the sizing guide's formula) agrees with the counts.
func TestMetricsModes(t *testing.T) {
	const locations, windows = 4, 2
	judged, own := 0, 0
	defaults := mustDefaults(t)
	for _, n := range kpi.Names {
		if _, ok := (&config.KPI{Thresholds: defaults.KPI.Thresholds}).ThresholdFor(n, &config.Location{ID: "x"}); ok {
			judged++
		}
		if _, ok := defaults.OwnStatusWindow(n); ok {
			own++ // the case KPIs, over cases.status_window only
		}
	}
	plain := len(kpi.Names) - own
	for _, tc := range []struct {
		mode                                    string
		value, sampleSize, indicator, threshold int
		afterValue, afterIndicator              int
	}{
		{config.MetricsAll, -1, locations * (plain*windows + own), locations * judged * 4, locations * judged * 2, -1, locations * judged * 4},
		{config.MetricsStatuses, 0, 0, locations * judged * 4, locations * judged * 2, 0, locations * judged * 4},
		{config.MetricsRed, windows, windows, 1, 2, 0, 0},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			e := newEnv(t)
			e.cfg.KPI.Metrics = tc.mode
			reg := prometheus.NewRegistry()
			ev := status.New(e.cfg, e.conn, nil, reg)
			now := time.Now().UTC().Truncate(time.Minute)
			e.insert(t, minute{location: "store-001", at: now.Add(-5 * time.Minute), detractors: 40})
			if err := ev.EvaluateAt(context.Background(), now); err != nil {
				t.Fatal(err)
			}
			v, _ := gauge(t, reg, "cxm_indicator_status", lbl("location", "store-001", "kpi", "nps", "status", "red"))
			if v != 1 {
				t.Fatalf("store-001 nps is not red: the test's data is wrong")
			}
			for name, want := range map[string]int{"cxm_kpi_value": tc.value, "cxm_kpi_sample_size": tc.sampleSize,
				"cxm_indicator_status": tc.indicator, "cxm_kpi_threshold": tc.threshold} {
				if got := count(t, reg, name); want >= 0 && got != want {
					t.Errorf("%s: %d series, want %d", name, got, want)
				}
			}
			total := count(t, reg, "cxm_kpi_sample_size") * 2 // a value beside every sample size when all are defined
			total += count(t, reg, "cxm_indicator_status") + count(t, reg, "cxm_kpi_threshold")
			per := status.Series(tc.mode, windows, plain, own, judged)
			if tc.mode == config.MetricsRed {
				per = status.Series(tc.mode, windows, plain, own, 1) // one red light
				if total != per {
					t.Errorf("red: %d series, Series says %d for one red light", total, per)
				}
			} else if total != locations*per {
				t.Errorf("%s: %d series, Series says %d per location × %d", tc.mode, total, per, locations)
			}

			// Promoters bring store-001's NPS out of red.
			e.insert(t, minute{location: "store-001", at: now.Add(-4 * time.Minute), promoters: 200})
			if err := ev.EvaluateAt(context.Background(), now.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			if got := count(t, reg, "cxm_indicator_status"); got != tc.afterIndicator {
				t.Errorf("after leaving red: %d indicator series, want %d", got, tc.afterIndicator)
			}
			if got := count(t, reg, "cxm_kpi_value"); tc.afterValue >= 0 && got != tc.afterValue {
				t.Errorf("after leaving red: %d value series, want %d", got, tc.afterValue)
			}
		})
	}
}

func mustDefaults(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
