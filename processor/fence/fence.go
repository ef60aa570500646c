// Package fence lets a processor wait out the inserts of others on its partitions before it reads their
// marks.
//
// Every insert of a flush carries a query id naming the partitions it writes (QueryID). An insert that a
// former owner sent before its lease ran out may still be running on the server: a paused or cut-off
// member's insert, or one the server commits after the client gave up on it. A new owner reading the
// marks while such an insert runs would miss what it is adding and write it again. So before reading the
// marks the new owner waits until no insert of its partitions is left in system.processes (on a cluster,
// on every server: the inserts into distributed tables run there under the same initial query id). An
// insert sent before the former owner's lease ended is in the process list by then; one sent later cannot
// exist (lease package). Inserts run with receive_timeout, so one whose client stopped mid-stream ends on
// the server within it: the wait is bounded.
package fence

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/internal/clickhouse"
)

const prefix = "cxm-processor-"

var seq atomic.Uint64

// QueryID returns a query id unique to this process and insert that names the partitions it writes.
func QueryID(parts []int32) string {
	var b strings.Builder
	b.WriteString(prefix)
	b.WriteString(strconv.FormatInt(time.Now().UnixNano(), 36))
	b.WriteByte('-')
	b.WriteString(strconv.FormatUint(seq.Add(1), 36))
	b.WriteString("-p")
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.Itoa(int(p)))
	}
	return b.String()
}

// Partitions returns the partitions a QueryID names; ok is false for another query's id.
func Partitions(id string) (parts []int32, ok bool) {
	if !strings.HasPrefix(id, prefix) {
		return nil, false
	}
	i := strings.LastIndex(id, "-p")
	if i < 0 {
		return nil, false
	}
	list := id[i+2:]
	if list == "" {
		return nil, true
	}
	for s := range strings.SplitSeq(list, ".") {
		p, err := strconv.ParseInt(s, 10, 32)
		if err != nil {
			return nil, false
		}
		parts = append(parts, int32(p))
	}
	return parts, true
}

// Processes is where running queries are listed: system.processes of one server, or of every server of
// a cluster.
type Processes struct {
	conn driver.Conn
	from string // FROM clause
}

// Local lists the queries of the server conn is connected to.
func Local(conn driver.Conn) *Processes {
	return &Processes{conn: conn, from: "system.processes"}
}

// Cluster lists the queries of every server of the named <remote_servers> cluster. From ClickHouse 20.1
// on through clusterAllReplicas, which uses the cluster's own credentials; before (18.16), through
// remote() over the servers system.clusters lists, with the given credentials, which then appear in the
// query text (and the query log): give the processor's user no password there, or run a newer server. A
// cluster() table function would ask one replica per shard, and an insert may be running on the other.
func Cluster(ctx context.Context, conn driver.Conn, cluster, user, password string) (*Processes, error) {
	v, err := clickhouse.ServerVersion(ctx, conn)
	if err != nil {
		return nil, fmt.Errorf("fence: %w", err)
	}
	if v.AtLeast(20, 1) {
		return &Processes{conn: conn, from: "clusterAllReplicas(" + clickhouse.Quote(cluster) + ", system.processes)"}, nil
	}
	rows, err := conn.Query(ctx, "SELECT host_address, port FROM system.clusters WHERE cluster = ?", cluster)
	if err != nil {
		return nil, fmt.Errorf("fence: servers of cluster %s: %w", cluster, err)
	}
	defer rows.Close()
	var addrs []string
	for rows.Next() {
		var (
			host string
			port uint16
		)
		if err := rows.Scan(&host, &port); err != nil {
			return nil, fmt.Errorf("fence: servers of cluster %s: %w", cluster, err)
		}
		addrs = append(addrs, fmt.Sprintf("%s:%d", host, port))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("fence: servers of cluster %s: %w", cluster, err)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("fence: cluster %s has no servers in system.clusters", cluster)
	}
	slices.Sort(addrs)
	return &Processes{conn: conn, from: fmt.Sprintf("remote(%s, system, processes, %s, %s)",
		clickhouse.Quote(strings.Join(addrs, ",")), clickhouse.Quote(user), clickhouse.Quote(password))}, nil
}

// Running returns the ids of the processor inserts running now (their initial query ids: on a cluster
// the servers an insert was forwarded to list it under its own id).
func (p *Processes) Running(ctx context.Context) ([]string, error) {
	rows, err := p.conn.Query(ctx, "SELECT DISTINCT initial_query_id FROM "+p.from+" WHERE startsWith(initial_query_id, ?)", prefix)
	if err != nil {
		return nil, fmt.Errorf("fence: running inserts: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("fence: running inserts: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Await waits until no insert that match accepts runs any more, polling every poll; it returns ctx's
// error when ctx ends first, naming the inserts still running.
func (p *Processes) Await(ctx context.Context, poll time.Duration, match func(id string) bool) error {
	for {
		ids, err := p.Running(ctx)
		if err != nil {
			return err
		}
		var left []string
		for _, id := range ids {
			if match(id) {
				left = append(left, id)
			}
		}
		if len(left) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("fence: inserts still running on the server (%s): %w", strings.Join(left, ", "), ctx.Err())
		case <-time.After(poll):
		}
	}
}

// Touching matches the inserts that write any of parts.
func Touching(parts []int32) func(id string) bool {
	return func(id string) bool {
		ps, ok := Partitions(id)
		if !ok {
			return false
		}
		for _, p := range ps {
			if slices.Contains(parts, p) {
				return true
			}
		}
		return false
	}
}

// Is matches one insert.
func Is(want string) func(id string) bool {
	return func(id string) bool { return id == want }
}
