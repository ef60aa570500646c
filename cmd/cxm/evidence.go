package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/evidence"
	"github.com/cxm-project/cxm/internal/objstore"
)

// openEvidence opens the audit evidence store for the read API and starts its retention
// (audits.evidence.retention) until stop; the API process runs it, one per deployment is enough and more
// are harmless (deleting is idempotent).
func openEvidence(ctx context.Context, cfg *config.Config, log *slog.Logger) (store objstore.Store, stop func(), err error) {
	store, err = evidence.Open(ctx, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("objstore: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		evidence.RunRetention(ctx, store, cfg.Audits.Evidence.Retention, cfg.Audits.Evidence.ExpireInterval, log)
	}()
	return store, func() { cancel(); <-done }, nil
}
