package cases

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/cxm-project/cxm/internal/query"
)

// Gauges exports each location's open and overdue cases (cxm_cases_open, cxm_cases_overdue) for
// Prometheus, which alerts on overdue ones (CXMCasesOverdue in deploy/prometheus/rules). It reads through
// the query engine, like every reader, every cases.overdue_interval, over the cases opened within
// lookback (api.max_range: a case older than that is not in the inbox either).
type Gauges struct {
	engine   *query.Engine
	every    time.Duration
	lookback time.Duration
	log      *slog.Logger
	open     *prometheus.GaugeVec
	overdue  *prometheus.GaugeVec
	now      func() time.Time
}

// NewGauges registers the gauges with reg.
func NewGauges(engine *query.Engine, every, lookback time.Duration, log *slog.Logger, reg prometheus.Registerer) *Gauges {
	f := promauto.With(reg)
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Gauges{engine: engine, every: every, lookback: lookback, log: log, now: time.Now,
		open: f.NewGaugeVec(prometheus.GaugeOpts{Name: "cxm_cases_open",
			Help: "Cases not resolved, by location (opened within api.max_range)."}, []string{"location"}),
		overdue: f.NewGaugeVec(prometheus.GaugeOpts{Name: "cxm_cases_overdue",
			Help: "Cases not resolved past their SLA (cases.sla or the rule's), by location."}, []string{"location"}),
	}
}

// Update recomputes the gauges once.
func (g *Gauges) Update(ctx context.Context) error {
	now := g.now()
	fs, err := g.engine.CaseFigures(ctx, query.CaseFiguresRequest{From: now.Add(time.Second - g.lookback), To: now.Add(time.Second), Now: now, GroupBy: "location"})
	if err != nil {
		return err
	}
	g.open.Reset()
	g.overdue.Reset()
	for _, f := range fs {
		g.open.WithLabelValues(f.Location).Set(float64(f.Components.Open))
		g.overdue.WithLabelValues(f.Location).Set(float64(f.Components.Overdue))
	}
	return nil
}

// Run updates the gauges until ctx ends; a failed update keeps the previous values and is logged.
func (g *Gauges) Run(ctx context.Context) {
	t := time.NewTicker(g.every)
	defer t.Stop()
	for {
		if err := g.Update(ctx); err != nil && ctx.Err() == nil {
			g.log.Warn("cases: overdue gauges", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
