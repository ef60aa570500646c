package status

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/internal/query"
)

// exportAudits judges the standard compliance index (ИВС) of each owned location and template over
// audits.status_window and exports it like a KPI named "ivs:<template>" (cxm_indicator_status,
// cxm_kpi_value, cxm_kpi_sample_size, cxm_kpi_threshold), so the CXMIndicatorRed alert covers it. Audits
// are a few visits a month, far slower than the KPIs' minutes, so they are judged on the periodic
// evaluation only, not after every flush, and not written to kpi_status (whose key is a registry KPI).
// Locations without a visit in the window export nothing: no audit is not a grey light.
func (e *Evaluator) exportAudits(ctx context.Context, owned []int, now time.Time) error {
	win := e.cfg.Audits.StatusWindow
	if win <= 0 || len(e.cfg.Audits.Templates) == 0 {
		return nil
	}
	ids := make([]string, len(owned))
	for i, li := range owned {
		ids[i] = e.cfg.Locations[li].ID
	}
	th := e.cfg.Audits.Threshold()
	series, err := e.engine.Audits(ctx, query.AuditsRequest{From: now.Add(-win), To: now, Locations: ids, Threshold: th})
	if err != nil {
		return err
	}
	window := windowName(win)
	seen := map[string]bool{}
	mode := e.cfg.KPI.Metrics
	for _, s := range series {
		name := kpi.IVSName + ":" + s.Template
		seen[s.Key+"\x00"+name] = true
		l := prometheus.Labels{"location": s.Key, "kpi": name, "window": window}
		red := s.Total.Status == kpi.Red.String()
		if mode == config.MetricsAll || mode == config.MetricsRed && red {
			e.m.sampleSize.With(l).Set(float64(s.Total.N))
			if s.Total.Value != nil {
				e.m.value.With(l).Set(*s.Total.Value)
			}
		}
		lk := prometheus.Labels{"location": s.Key, "kpi": name}
		if mode == config.MetricsRed && !red {
			e.m.indicator.DeletePartialMatch(lk)
			e.m.threshold.DeletePartialMatch(lk)
			continue
		}
		for _, st := range judged {
			if mode == config.MetricsRed && st != kpi.Red {
				continue
			}
			v := 0.0
			if st.String() == s.Total.Status {
				v = 1
			}
			e.m.indicator.WithLabelValues(s.Key, name, st.String()).Set(v)
		}
		e.m.threshold.WithLabelValues(s.Key, name, "yellow").Set(th.Yellow)
		e.m.threshold.WithLabelValues(s.Key, name, "red").Set(th.Red)
	}
	// A template whose visits left the window: its series go.
	for _, id := range ids {
		for _, t := range e.cfg.Audits.Templates {
			name := kpi.IVSName + ":" + t.ID
			if !seen[id+"\x00"+name] {
				lk := prometheus.Labels{"location": id, "kpi": name}
				for _, v := range []*prometheus.GaugeVec{e.m.value, e.m.sampleSize, e.m.indicator, e.m.threshold} {
					v.DeletePartialMatch(lk)
				}
			}
		}
	}
	return nil
}

// windowName writes 720h as "30d", the way windows are usually written.
func windowName(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}
