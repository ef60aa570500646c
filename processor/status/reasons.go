package status

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/cxm-project/cxm/internal/query"
)

// reasonMetrics export the follow-up reasons of the owned locations over reasons.alert.window, with the
// rise test against the baseline before it (query.Engine.Reasons), for the CXMReasonRising alert.
type reasonMetrics struct {
	share, rising, p *prometheus.GaugeVec
}

func newReasonMetrics(reg prometheus.Registerer) *reasonMetrics {
	f := promauto.With(reg)
	labels := []string{"location", "polarity", "reason"}
	return &reasonMetrics{
		share: f.NewGaugeVec(prometheus.GaugeOpts{Name: "cxm_reason_share",
			Help: "Share of the follow-up answers of its list (polarity) giving the reason, over reasons.alert.window."}, labels),
		rising: f.NewGaugeVec(prometheus.GaugeOpts{Name: "cxm_reason_rising",
			Help: "1 when the reason's share rose beyond its baseline (one-sided two-proportion z-test, p < reasons.alert.alpha), else 0; absent while either window has fewer than reasons.alert.min_n answers."}, labels),
		p: f.NewGaugeVec(prometheus.GaugeOpts{Name: "cxm_reason_rise_p",
			Help: "P-value of the reason's rise test."}, labels),
	}
}

// EvaluateReasons refreshes the reason metrics of the owned locations for the window ending at now's
// minute. A failure is logged; the previous values are dropped so no stale alert stays up.
func (e *Evaluator) EvaluateReasons(ctx context.Context, now time.Time) {
	a := e.cfg.Reasons.Alert
	if len(e.cfg.Reasons.Positive)+len(e.cfg.Reasons.Negative) == 0 || a.Window <= 0 {
		return
	}
	owned := e.owned()
	ids := make([]string, len(owned))
	for i, li := range owned {
		ids[i] = e.cfg.Locations[li].ID
	}
	end := now.UTC().Truncate(time.Minute)
	var rows []query.ReasonShare
	var err error
	if len(ids) > 0 {
		ctx, cancel := context.WithTimeout(ctx, e.cfg.KPI.EvaluateTimeout)
		rows, err = e.engine.Reasons(ctx, query.WhyRequest{Locations: ids, From: end.Add(-a.Window), To: end})
		cancel()
	}
	e.rm.share.Reset()
	e.rm.rising.Reset()
	e.rm.p.Reset()
	if err != nil {
		if ctx.Err() == nil {
			e.log.Warn("reason evaluation failed", "err", err)
		}
		return
	}
	for _, r := range rows {
		e.rm.share.WithLabelValues(r.Location, r.Polarity, r.Reason).Set(r.Share)
		if r.P != nil {
			v := 0.0
			if r.Rising {
				v = 1
			}
			e.rm.rising.WithLabelValues(r.Location, r.Polarity, r.Reason).Set(v)
			e.rm.p.WithLabelValues(r.Location, r.Polarity, r.Reason).Set(*r.P)
		}
	}
}
