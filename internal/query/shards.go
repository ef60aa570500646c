package query

import (
	"context"

	"github.com/cxm-project/cxm/internal/clickhouse"
)

// ShardUnavailable tells whether err, from a read through the Distributed tables of cluster, means that no
// replica of some shard answered, and which shards and hosts those are; nil otherwise (or when cluster is
// "", a single server). A caller then answers with no figures at all: partial sums would look like real ones.
func (e *Engine) ShardUnavailable(ctx context.Context, cluster string, err error) *clickhouse.ShardUnavailableError {
	return clickhouse.AsShardUnavailable(ctx, e.conn, cluster, err)
}
