package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// CheckCluster fails unless the server knows the cluster name (its <remote_servers>) and has the macros
// the cluster schema's replication paths use, naming what is missing: otherwise the first ON CLUSTER
// statement would fail with a less telling message, or a table would be created with a wrong path.
func CheckCluster(ctx context.Context, conn driver.Conn, name string) error {
	var hosts uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM system.clusters WHERE cluster = ?", name).Scan(&hosts); err != nil {
		return fmt.Errorf("clickhouse.cluster: read system.clusters: %w", err)
	}
	if hosts == 0 {
		return fmt.Errorf("clickhouse.cluster: the server has no cluster %q in <remote_servers>", name)
	}
	for _, macro := range []string{"shard", "replica"} {
		var n uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM system.macros WHERE macro = ?", macro).Scan(&n); err != nil {
			return fmt.Errorf("clickhouse.cluster: read system.macros: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("clickhouse.cluster: the server has no <macros><%s>: the replicated tables' paths need {shard} and {replica}", macro)
		}
	}
	return nil
}

// ShardUnavailableError is a query through a Distributed table that could reach no replica of a shard:
// the answer would lack that shard's locations, so there is none.
type ShardUnavailableError struct {
	Cluster string
	Shards  []uint32 // shard numbers of system.clusters; empty when the hosts are not in it
	Hosts   []string // host:port the server tried
	Err     error
}

func (e *ShardUnavailableError) Error() string {
	shards := make([]string, len(e.Shards))
	for i, s := range e.Shards {
		shards[i] = strconv.FormatUint(uint64(s), 10)
	}
	which := "a shard"
	switch len(shards) {
	case 0:
	case 1:
		which = "shard " + shards[0]
	default:
		which = "shards " + strings.Join(shards, ", ")
	}
	return fmt.Sprintf("ClickHouse %s of cluster %s is unavailable (no replica answers: %s); the figures of its locations cannot be read until it is back",
		which, e.Cluster, strings.Join(e.Hosts, ", "))
}

func (e *ShardUnavailableError) Unwrap() error { return e.Err }

// codeAllConnectionTriesFailed is the server's error when every replica of a shard refused.
const codeAllConnectionTriesFailed = 279

var hostPort = regexp.MustCompile(`\(([A-Za-z0-9_.\-\[\]:]+:[0-9]+)\)`)

// AsShardUnavailable returns err as a *ShardUnavailableError naming the shard, when it is a failed query
// through a Distributed table of cluster whose every replica refused; nil otherwise. It asks the server it
// is connected to which shard the refusing hosts form.
func AsShardUnavailable(ctx context.Context, conn driver.Conn, cluster string, err error) *ShardUnavailableError {
	var ex *ch.Exception
	if cluster == "" || !errors.As(err, &ex) || ex.Code != codeAllConnectionTriesFailed {
		return nil
	}
	e := &ShardUnavailableError{Cluster: cluster, Err: err}
	seen := map[string]bool{}
	for _, m := range hostPort.FindAllStringSubmatch(ex.Message, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			e.Hosts = append(e.Hosts, m[1])
		}
	}
	sort.Strings(e.Hosts)
	rows, qerr := conn.Query(ctx, "SELECT DISTINCT shard_num, host_name, host_address, port FROM system.clusters WHERE cluster = ?", cluster)
	if qerr != nil {
		return e
	}
	defer rows.Close()
	shards := map[uint32]bool{}
	for rows.Next() {
		var (
			shard      uint32
			name, addr string
			port       uint16
		)
		if rows.Scan(&shard, &name, &addr, &port) != nil {
			continue
		}
		p := strconv.Itoa(int(port))
		if seen[name+":"+p] || seen[addr+":"+p] {
			shards[shard] = true
		}
	}
	e.Shards = slices.Sorted(maps.Keys(shards))
	return e
}
