package main

import (
	"context"
	"fmt"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/evidence"
)

// eraseVoice deletes the person's voice recordings (their messages' voice) from the object store and
// returns how many. Only keys of the recording scheme are deleted: an event naming another object (an
// audit's evidence) cannot make erasure remove it.
func eraseVoice(ctx context.Context, cfg *config.Config, conn driver.Conn, who clickhouse.Erasure) (int, error) {
	keys, err := clickhouse.VoiceKeys(ctx, conn, cfg.ClickHouse.Database, who)
	if err != nil || len(keys) == 0 {
		return 0, err
	}
	store, err := evidence.Open(ctx, cfg)
	if err != nil {
		return 0, fmt.Errorf("objstore: %w", err)
	}
	n := 0
	for _, k := range keys {
		if !evidence.IsVoice(k) {
			continue
		}
		if err := store.Delete(ctx, k); err != nil {
			return n, fmt.Errorf("delete recording %s: %w", k, err)
		}
		n++
	}
	return n, nil
}
