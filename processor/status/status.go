// Package status is the KPI status evaluator: every kpi.evaluate_interval it computes every KPI of every
// location it owns over each of kpi.windows, judges it against the location's thresholds into grey / green /
// yellow / red (or none: not judged), and writes the result to ClickHouse (kpi_status, the current status,
// and kpi_status_history) and to Prometheus (cxm_indicator_status and friends, which the alert rules read).
//
// Figures come from the query engine (internal/query), the same code the API and the Grafana plugin use, so
// a traffic light is always the colour of the number a user sees. One engine call per window covers all
// owned locations: one SQL statement, however many locations.
package status

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/internal/query"
)

// Evaluator evaluates statuses. It is safe for one Run (or EvaluateAt caller) at a time plus SetOwner from
// any goroutine.
type Evaluator struct {
	cfg          *config.Config
	conn         driver.Conn
	db           string
	log          *slog.Logger
	engine       *query.Engine
	windows      []config.Window
	statusWindow string
	// th[i][j] is the threshold of kpi.Names[j] at cfg.Locations[i], resolved once: the config does not
	// change while the process runs.
	th [][]threshold
	m  *metrics
	rm *reasonMetrics // the follow-up reasons' rise test (reasons.go)

	ownerMu sync.Mutex
	owner   func(location string) bool

	// evalMu serialises evaluations; what follows is theirs.
	evalMu sync.Mutex
	// state is what the last evaluation decided per location (status and since per KPI and window). A
	// location is absent until this instance has evaluated it or restored it from kpi_status, which it does
	// again whenever it gains a location (another instance may have judged it meanwhile).
	state map[string]map[key]prev
	// lastAt is the evaluated_at of the last fresh evaluation: each must be a later second (kpi_status keeps
	// the row with the largest evaluated_at).
	lastAt time.Time

	// dirty are the locations flushes changed since the last fresh evaluation; poke wakes Run.
	dirtyMu sync.Mutex
	dirty   map[string]struct{}
	poke    chan struct{}
}

type threshold struct {
	kpi.Threshold
	ok bool
}

type key struct{ kpi, window string }

type prev struct {
	status kpi.Status
	since  time.Time
}

// New builds an evaluator for cfg's locations and kpi section; reg is where its metrics are registered
// (nil: nowhere; a second evaluator on one registerer panics). It connects to nothing: conn must be open.
func New(cfg *config.Config, conn driver.Conn, log *slog.Logger, reg prometheus.Registerer) *Evaluator {
	if log == nil {
		log = slog.Default()
	}
	// The evaluator is the system reading its own locations, not a user: the API's caps on points, rows,
	// range and locations do not apply; kpi.evaluate_timeout bounds the work instead.
	engine := query.New(conn, cfg.ClickHouse.Database, cfg.Locations, query.Limits{Timeout: cfg.KPI.EvaluateTimeout}).
		WithKPIOptions(kpi.Options{NPSPolicy: cfg.KPI.NPSPolicy()}).WithCases(&cfg.Cases).WithWhy(cfg.Reasons, cfg.Breakdown)
	e := &Evaluator{
		cfg:          cfg,
		conn:         conn,
		db:           cfg.ClickHouse.Database,
		log:          log,
		engine:       engine,
		rm:           newReasonMetrics(reg),
		windows:      cfg.KPI.WindowList(),
		statusWindow: cfg.KPI.StatusWindowName(),
		m:            newMetrics(reg),
		state:        map[string]map[key]prev{},
		dirty:        map[string]struct{}{},
		poke:         make(chan struct{}, 1),
	}
	e.th = make([][]threshold, len(cfg.Locations))
	for i := range cfg.Locations {
		e.th[i] = make([]threshold, len(kpi.Names))
		for j, name := range kpi.Names {
			t, ok := cfg.KPI.ThresholdFor(name, &cfg.Locations[i])
			e.th[i][j] = threshold{t, ok}
		}
	}
	return e
}

// SetOwner restricts evaluation to the locations for which owns is true (nil: all). With several processor
// instances each owns the locations of the Kafka partitions it holds (see OwnedBy), so every location is
// evaluated by exactly one instance and exported by one.
func (e *Evaluator) SetOwner(owns func(location string) bool) {
	e.ownerMu.Lock()
	e.owner = owns
	e.ownerMu.Unlock()
}

// Notify tells the evaluator that the minute figures of locations changed (the processor calls it after
// each flush). With kpi.evaluate_after_flush set, Run judges them again within that interval; otherwise it
// is a no-op. It never blocks.
func (e *Evaluator) Notify(locations map[string]struct{}) {
	if e.cfg.KPI.EvaluateAfterFlush <= 0 || len(locations) == 0 {
		return
	}
	e.dirtyMu.Lock()
	for l := range locations {
		e.dirty[l] = struct{}{}
	}
	e.dirtyMu.Unlock()
	select {
	case e.poke <- struct{}{}:
	default:
	}
}

// takeDirty returns the notified locations and forgets them.
func (e *Evaluator) takeDirty() map[string]bool {
	e.dirtyMu.Lock()
	defer e.dirtyMu.Unlock()
	out := make(map[string]bool, len(e.dirty))
	for l := range e.dirty {
		out[l] = true
	}
	clear(e.dirty)
	return out
}

// OwnedBy is the owner function for a processor: a location belongs to the partition its events land in
// (the producer's murmur2 hash of the location key over partitions, see internal/kafka), and is owned while
// owns(that partition) is true.
func OwnedBy(owns func(partition int) bool, partitions int) func(location string) bool {
	parts := make([]int, partitions)
	for i := range parts {
		parts[i] = i
	}
	var b kafkago.Murmur2Balancer
	return func(location string) bool {
		return owns(b.Balance(kafkago.Message{Key: []byte(location)}, parts...))
	}
}

// Run evaluates at once, then at every multiple of kpi.evaluate_interval of the wall clock (plus
// kpi.evaluate_delay), until ctx ends. A failed evaluation is logged and counted; the next tick tries again.
// With kpi.evaluate_after_flush, the locations Notify names are judged again between the ticks, at most once
// per that interval, and every evaluation's windows end with the current minute (EvaluateFresh).
func (e *Evaluator) Run(ctx context.Context) error {
	interval, delay := e.cfg.KPI.EvaluateInterval, e.cfg.KPI.EvaluateDelay
	fresh := e.cfg.KPI.EvaluateAfterFlush
	tick := time.Now().UTC().Truncate(time.Minute)
	var retained, lastFresh time.Time
	for {
		var err error
		if fresh > 0 {
			err = e.EvaluateFresh(ctx, nil, time.Now(), true)
		} else {
			err = e.EvaluateAt(ctx, tick)
		}
		if err != nil && ctx.Err() == nil {
			e.log.Warn("status evaluation failed", "at", tick, "err", err)
		}
		e.EvaluateReasons(ctx, tick)
		if time.Since(retained) >= time.Hour {
			retained = time.Now()
			e.retain(ctx, tick)
		}
		// The next tick after now: a slow evaluation skips ticks rather than queueing them.
		tick = time.Now().UTC().Add(-delay).Truncate(interval).Add(interval)
		t := time.NewTimer(time.Until(tick.Add(delay)))
	wait:
		for {
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.C:
				break wait
			case <-e.poke:
				if !sleep(ctx, time.Until(lastFresh.Add(fresh))) {
					t.Stop()
					return nil
				}
				lastFresh = time.Now()
				if only := e.takeDirty(); len(only) > 0 {
					if err := e.EvaluateFresh(ctx, only, lastFresh, false); err != nil && ctx.Err() == nil {
						e.log.Warn("status evaluation after flush failed", "locations", len(only), "err", err)
					}
				}
			}
		}
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// retain drops the months of kpi_status_history that kpi.status_history_retention no longer keeps; run
// hourly (a month at a time is all there is to drop). Failures are logged and tried again an hour later.
func (e *Evaluator) retain(ctx context.Context, now time.Time) {
	r := e.cfg.KPI.StatusHistoryRetention
	if r <= 0 {
		return
	}
	dropped, err := clickhouse.DropMonthsBefore(ctx, e.conn, e.db, "kpi_status_history", now.Add(-r))
	if err != nil && ctx.Err() == nil {
		e.log.Warn("status history retention failed", "err", err)
	}
	if len(dropped) > 0 {
		e.log.Info("status history retention: dropped months", "months", dropped, "retention", r)
	}
}

// row is one evaluated location, KPI and window.
type row struct {
	location, kpi, window string
	value, low, high      *float64
	n                     int64
	status                kpi.Status
	since                 time.Time
	th                    threshold
}

// EvaluateAt evaluates every owned location over the windows ending at now (truncated to the minute) and
// writes the statuses. A location without any data in a window gets fresh grey statuses (n = 0): a closed,
// silent shop is not left showing yesterday's colours.
func (e *Evaluator) EvaluateAt(ctx context.Context, now time.Time) error {
	e.evalMu.Lock()
	defer e.evalMu.Unlock()
	now = now.UTC().Truncate(time.Minute)
	return e.evaluate(ctx, nil, now, now, true)
}

// EvaluateFresh evaluates the owned locations of only (nil: all owned) over windows that end with the
// minute now is in, so the figures of the minute in progress count, and stamps the statuses with now to the
// second (a later second than the previous fresh evaluation: it waits for one if needed). history evaluates
// every window and also writes kpi_status_history (the evaluate_interval ticks); without it only
// kpi.status_window is judged, into kpi_status and the metrics (the evaluations after flushes).
func (e *Evaluator) EvaluateFresh(ctx context.Context, only map[string]bool, now time.Time, history bool) error {
	e.evalMu.Lock()
	defer e.evalMu.Unlock()
	at := now.UTC().Truncate(time.Second)
	if !at.After(e.lastAt) {
		if !sleep(ctx, time.Until(e.lastAt.Add(time.Second))) {
			return ctx.Err()
		}
		at = e.lastAt.Add(time.Second)
	}
	e.lastAt = at
	return e.evaluate(ctx, only, at.Truncate(time.Minute).Add(time.Minute), at, history)
}

// evaluate judges the owned locations of only (nil: all) over the windows ending at end, stamped at.
func (e *Evaluator) evaluate(ctx context.Context, only map[string]bool, end, now time.Time, history bool) error {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, e.cfg.KPI.EvaluateTimeout)
	defer cancel()

	owned := e.owned()
	if only == nil {
		e.forgetUnowned(owned)
	} else {
		kept := owned[:0:0]
		for _, li := range owned {
			if only[e.cfg.Locations[li].ID] {
				kept = append(kept, li)
			}
		}
		owned = kept
	}
	if len(owned) == 0 {
		e.m.evaluations.Inc()
		return nil
	}
	ids := make([]string, len(owned))
	for i, li := range owned {
		ids[i] = e.cfg.Locations[li].ID
	}
	if err := e.restore(ctx, ids); err != nil {
		e.m.chErrors.Inc()
		return err
	}

	locIndex := make(map[string]int, len(owned))
	for _, li := range owned {
		locIndex[e.cfg.Locations[li].ID] = li
	}
	kpiIndex := make(map[string]int, len(kpi.Names))
	for j, n := range kpi.Names {
		kpiIndex[n] = j
	}
	windows := e.windows
	if !history {
		// After a flush only the status window: it is the traffic light (cxm_indicator_status, the map,
		// the alerts); the other windows follow at the evaluate_interval tick. One query instead of one
		// per window keeps the light fast when ClickHouse is busy.
		windows = nil
		for _, w := range e.windows {
			if w.Name == e.statusWindow {
				windows = append(windows, w)
			}
		}
	}
	// A KPI with a status window of its own (config.OwnStatusWindow: the ИВС's audits.status_window, the
	// case KPIs' cases.status_window) is judged over that window only, in every evaluation (it is its
	// traffic light); the others over kpi.windows. One pass per window.
	type pass struct {
		w     config.Window
		names []string
	}
	var names []string
	var own []pass
	for _, n := range kpi.Names {
		if !history && kpi.IsCase(n) {
			// The case KPIs read a window of raw events (every row of the locations' week, to find the
			// cases' ones), and move when a case is acted on or its SLA runs out, not with the minute
			// figures a flush brings: the evaluate_interval tick judges them.
			continue
		}
		w, ok := e.cfg.OwnStatusWindow(n)
		if !ok {
			names = append(names, n)
			continue
		}
		i := slices.IndexFunc(own, func(p pass) bool { return p.w.Name == w.Name })
		if i < 0 {
			i = len(own)
			own = append(own, pass{w: w})
		}
		own[i].names = append(own[i].names, n)
	}
	passes := make([]pass, 0, len(windows)+len(own))
	for _, w := range windows {
		passes = append(passes, pass{w, names})
	}
	passes = append(passes, own...)
	rows := make([]row, 0, len(owned)*len(kpi.Names)*len(windows))
	for _, ps := range passes {
		w := ps.w
		if len(ps.names) == 0 {
			continue
		}
		res, err := e.engine.KPIs(ctx, query.Request{
			KPIs: ps.names, Locations: ids, Group: query.GroupLocation,
			From: end.Add(-w.Duration), To: end, Now: now,
		})
		if err != nil {
			e.m.chErrors.Inc()
			return fmt.Errorf("status: window %s: %w", w.Name, err)
		}
		for _, s := range res.Series {
			if len(s.Points) != 1 {
				return fmt.Errorf("status: window %s: %d points for %s %s, want 1", w.Name, len(s.Points), s.Location, s.KPI)
			}
			p := s.Points[0]
			th := e.th[locIndex[s.Location]][kpiIndex[s.KPI]]
			r := row{location: s.Location, kpi: s.KPI, window: w.Name, value: p.Value, low: p.Low, high: p.High, n: p.N, th: th, status: kpi.None}
			if th.ok {
				v := kpi.Value{KPI: s.KPI, N: p.N}
				if p.Value != nil {
					v.Value, v.Valid = *p.Value, true
				}
				r.status = kpi.Classify(v, th.Threshold)
			}
			rows = append(rows, r)
		}
	}

	// since: carried from the previous evaluation while the status stays, else now.
	for i := range rows {
		r := &rows[i]
		st := e.state[r.location]
		k := key{r.kpi, r.window}
		if p, ok := st[k]; ok && p.status == r.status {
			r.since = p.since
		} else {
			r.since = now
		}
		st[k] = prev{r.status, r.since}
	}
	// Metrics before the writes: they come from the figures just read, so alerts stay right while a write
	// to ClickHouse fails.
	e.export(rows)

	if history {
		if err := e.write(ctx, "kpi_status_history", now, rows, true); err != nil {
			e.m.chErrors.Inc()
			return err
		}
	}
	if err := e.write(ctx, "kpi_status", now, rows, false); err != nil {
		e.m.chErrors.Inc()
		return err
	}
	e.m.evaluations.Inc()
	e.m.duration.Observe(time.Since(start).Seconds())
	return nil
}

// owned lists the indexes in cfg.Locations of the locations this instance evaluates.
func (e *Evaluator) owned() []int {
	e.ownerMu.Lock()
	owns := e.owner
	e.ownerMu.Unlock()
	var out []int
	for i, l := range e.cfg.Locations {
		if owns == nil || owns(l.ID) {
			out = append(out, i)
		}
	}
	return out
}

// forgetUnowned drops the state and the metric series of locations this instance no longer owns: their
// new owner exports them, and a stale red series left here would keep the alert firing.
func (e *Evaluator) forgetUnowned(owned []int) {
	keep := make(map[string]bool, len(owned))
	for _, i := range owned {
		keep[e.cfg.Locations[i].ID] = true
	}
	for id := range e.state {
		if !keep[id] {
			delete(e.state, id)
			e.m.deleteLocation(id)
		}
	}
}

// restore loads status and since of the locations without state from kpi_status, so a restart (or a
// location moving to this instance) keeps "red since 10:02" rather than starting it again.
func (e *Evaluator) restore(ctx context.Context, ids []string) error {
	var missing []string
	for _, id := range ids {
		if _, ok := e.state[id]; !ok {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	sts, err := e.engine.Statuses(ctx, missing, nil)
	if err != nil {
		return fmt.Errorf("status: restore from kpi_status: %w", err)
	}
	for _, id := range missing {
		e.state[id] = map[key]prev{}
	}
	for _, s := range sts {
		e.state[s.Location][key{s.KPI, s.Window}] = prev{s.Status, s.Since}
	}
	return nil
}

// write inserts the rows into table with PrepareBatch (INSERT … VALUES over the native protocol hangs on
// ClickHouse 18.16); history rows carry min_n too.
func (e *Evaluator) write(ctx context.Context, table string, now time.Time, rows []row, history bool) error {
	cols := "location, kpi, window, evaluated_at, value, n, low, high, status, since, yellow, red, direction"
	if history {
		cols += ", min_n"
	}
	b, err := e.conn.PrepareBatch(ctx, "INSERT INTO "+clickhouse.Ident(e.db)+"."+table+" ("+cols+")")
	if err != nil {
		return fmt.Errorf("status: %s: %w", table, err)
	}
	for _, r := range rows {
		var yellow, red *float64
		dir := kpi.DefaultDirection(r.kpi)
		if r.th.ok {
			y, rd := r.th.Yellow, r.th.Red
			yellow, red, dir = &y, &rd, r.th.Direction
		}
		vals := []any{r.location, r.kpi, r.window, now, r.value, r.n, r.low, r.high, r.status.String(), r.since, yellow, red, dir.String()}
		if history {
			vals = append(vals, r.th.MinN)
		}
		if err := b.Append(vals...); err != nil {
			_ = b.Abort()
			return fmt.Errorf("status: %s: append: %w", table, err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("status: %s: %w", table, err)
	}
	return nil
}

// export sets the Prometheus series of the evaluated rows, as many as kpi.metrics keeps (see Series).
func (e *Evaluator) export(rows []row) {
	mode := e.cfg.KPI.Metrics
	// red: whether the status window judged a location's KPI red in this evaluation, or (for windows of
	// rows without the status window, as after a flush) in the state.
	red := func(loc, k string) bool {
		return e.state[loc][key{k, e.cfg.StatusWindowOf(k)}].status == kpi.Red
	}
	for _, r := range rows {
		l := prometheus.Labels{"location": r.location, "kpi": r.kpi, "window": r.window}
		switch {
		case mode == config.MetricsStatuses, mode == config.MetricsRed && !red(r.location, r.kpi):
			e.m.sampleSize.Delete(l)
			e.m.value.Delete(l)
		default:
			e.m.sampleSize.With(l).Set(float64(r.n))
			if r.value != nil {
				e.m.value.With(l).Set(*r.value)
			} else {
				e.m.value.Delete(l)
			}
		}
		if r.window != e.cfg.StatusWindowOf(r.kpi) || !r.th.ok {
			continue
		}
		if mode == config.MetricsRed {
			lk := prometheus.Labels{"location": r.location, "kpi": r.kpi}
			if r.status != kpi.Red {
				// Gone rather than 0: a chain with thousands of stores keeps a series per red light only.
				e.m.indicator.DeletePartialMatch(lk)
				e.m.threshold.DeletePartialMatch(lk)
				continue
			}
			e.m.indicator.WithLabelValues(r.location, r.kpi, kpi.Red.String()).Set(1)
			e.m.threshold.WithLabelValues(r.location, r.kpi, "yellow").Set(r.th.Yellow)
			e.m.threshold.WithLabelValues(r.location, r.kpi, "red").Set(r.th.Red)
			continue
		}
		// Only judged KPIs get indicator and threshold series: a KPI without threshold has nothing to alert
		// on, and leaving it out saves five series per location and KPI.
		for _, s := range judged {
			v := 0.0
			if s == r.status {
				v = 1
			}
			e.m.indicator.WithLabelValues(r.location, r.kpi, s.String()).Set(v)
		}
		e.m.threshold.WithLabelValues(r.location, r.kpi, "yellow").Set(r.th.Yellow)
		e.m.threshold.WithLabelValues(r.location, r.kpi, "red").Set(r.th.Red)
	}
}

// Series is how many Prometheus series the evaluator exports per location with kpi.metrics mode, windows
// evaluation windows, kpis KPIs judged over them and own KPIs judged over a window of their own
// (config.OwnStatusWindow), of which judged have a threshold: values and sample sizes per KPI and window
// (all), an indicator per status and two thresholds per judged KPI (all, statuses). With red it is the
// upper bound of one red light: its indicator, two thresholds and a value and sample size per window.
func Series(mode string, windows, kpis, own, judged int) int {
	switch mode {
	case config.MetricsStatuses:
		return judged * (4 + 2)
	case config.MetricsRed:
		return judged * (1 + 2 + 2*windows)
	default:
		return 2*(kpis*windows+own) + judged*(4+2)
	}
}

// judged are the statuses a KPI with a threshold can have.
var judged = []kpi.Status{kpi.Grey, kpi.Green, kpi.Yellow, kpi.Red}

type metrics struct {
	value, sampleSize, indicator, threshold *prometheus.GaugeVec
	evaluations, chErrors                   prometheus.Counter
	duration                                prometheus.Histogram
}

// kpiUnits says each KPI's unit: cxm_kpi_value and cxm_kpi_threshold carry every KPI in its own unit (the
// unit the thresholds are configured in), so a Prometheus user reads the unit from the kpi label.
const kpiUnits = "Units by kpi: nps and like_index a score -100..100; csat, conversion and coverage percent 0..100; " +
	"ces a score 1..7; smile_index a score 0..100; visitors, receipts and consultations a count; " +
	"revenue and avg_receipt currency units (the receipts' currency, roubles in the dashboards); items_per_receipt items per receipt; " +
	"cases_opened, cases_open and cases_overdue a count of cases; case_first_action_hours and case_resolution_hours hours; cases_resolved_in_sla percent 0..100."

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	return &metrics{
		value: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "cxm_kpi_value", Help: "KPI value per location and window (kpi.windows) at the last evaluation; absent while undefined (no sample). " + kpiUnits,
		}, []string{"location", "kpi", "window"}),
		sampleSize: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "cxm_kpi_sample_size", Help: "Sample size (n, a count of responses, presses, visitors or receipts) behind cxm_kpi_value.",
		}, []string{"location", "kpi", "window"}),
		indicator: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "cxm_indicator_status", Help: "1 for the current status (grey, green, yellow, red) of the KPI at the location over kpi.status_window, 0 for the others; only KPIs with a threshold.",
		}, []string{"location", "kpi", "status"}),
		threshold: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "cxm_kpi_threshold", Help: "Effective yellow and red threshold of the KPI at the location (kpi.thresholds and kpi.overrides), in the KPI's unit. " + kpiUnits,
		}, []string{"location", "kpi", "level"}),
		evaluations: f.NewCounter(prometheus.CounterOpts{
			Name: "cxm_status_evaluations_total", Help: "Completed status evaluations.",
		}),
		chErrors: f.NewCounter(prometheus.CounterOpts{
			Name: "cxm_status_clickhouse_errors_total", Help: "Failed ClickHouse reads and writes of the status evaluator (the evaluation is retried at the next tick).",
		}),
		duration: f.NewHistogram(prometheus.HistogramOpts{
			Name: "cxm_status_evaluation_duration_seconds", Help: "Time of one status evaluation, reads and writes.",
			Buckets: prometheus.ExponentialBuckets(0.01, 2, 14),
		}),
	}
}

func (m *metrics) deleteLocation(id string) {
	l := prometheus.Labels{"location": id}
	for _, v := range []*prometheus.GaugeVec{m.value, m.sampleSize, m.indicator, m.threshold} {
		v.DeletePartialMatch(l)
	}
}
