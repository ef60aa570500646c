package processor

import "github.com/cxm-project/cxm/processor/partition"

// OnFlush registers fn, called after each flush is in ClickHouse with the locations whose minute figures it
// changed: the status evaluator judges them again at once instead of at its next minute tick (kpi.
// evaluate_after_flush). fn runs on the flush path and must not block. Call it before Run.
func (p *Processor) OnFlush(fn func(locations map[string]struct{})) {
	p.mu.Lock()
	p.onFlush = fn
	p.mu.Unlock()
}

// flushed tells the OnFlush hook which locations the batches just written changed.
func (p *Processor) flushed(batches []*partition.Batch) {
	p.mu.Lock()
	fn := p.onFlush
	p.mu.Unlock()
	if fn == nil {
		return
	}
	locs := map[string]struct{}{}
	for _, b := range batches {
		for k := range b.Deltas.Minutes {
			locs[k.Location] = struct{}{}
		}
		for k := range b.Deltas.Likes {
			locs[k.Location] = struct{}{}
		}
	}
	if len(locs) > 0 {
		fn(locs)
	}
}
