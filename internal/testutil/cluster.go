package testutil

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	cluster "github.com/cxm-project/cxm/deploy/clickhouse-cluster"
	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/schemas"
)

// Cluster is the local test cluster of deploy/local/cluster.sh: 2 shards × 2 replicas and ZooKeeper, with
// a database of the test's own migrated ON CLUSTER.
type Cluster struct {
	// Cfg reaches every server (Addr lists all four), with Cluster and Database set.
	Cfg config.ClickHouse
	// Servers are connections to each server alone, in the script's order: 1 and 2 are shard 1, 3 and 4
	// shard 2.
	Servers []driver.Conn
	script  string
	t       testing.TB
}

// ClusterName is the cluster name deploy/local/cluster.sh configures (CXM_CLUSTER_NAME, default cxm_local).
func ClusterName() string {
	if n := os.Getenv("CXM_CLUSTER_NAME"); n != "" {
		return n
	}
	return "cxm_local"
}

// ClusterAddrs are the four servers' native addresses (CXM_CLUSTER_PORT_BASE + 1..4, default 19101..19104).
func ClusterAddrs() []string {
	base := 19100
	if b, err := strconv.Atoi(os.Getenv("CXM_CLUSTER_PORT_BASE")); err == nil {
		base = b
	}
	out := make([]string, 4)
	for i := range out {
		out[i] = "127.0.0.1:" + strconv.Itoa(base+i+1)
	}
	return out
}

// ClickHouseCluster connects to the local cluster and migrates a database of the test's own on it (dropped
// ON CLUSTER afterwards). It skips when the cluster is not running, or fails when CXM_REQUIRE_CLUSTER=1
// (make test starts it with make cluster).
func ClickHouseCluster(t testing.TB) *Cluster {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	c := &Cluster{script: filepath.Join(filepath.Dir(file), "..", "..", "deploy", "local", "cluster.sh"), t: t}
	c.Cfg = config.ClickHouse{
		Addr:         ClusterAddrs(),
		Database:     uniqueDatabase(t),
		Username:     "default",
		DialTimeout:  3 * time.Second,
		ReadTimeout:  2 * time.Minute,
		MaxOpenConns: 8,
		Cluster:      ClusterName(),
		InsertQuorum: 2,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	for _, addr := range c.Cfg.Addr {
		one := c.Cfg
		one.Addr = []string{addr}
		conn, err := clickhouse.Open(ctx, one)
		if err != nil {
			for _, s := range c.Servers {
				s.Close()
			}
			msg := "ClickHouse cluster server " + addr + " is unreachable: " + err.Error() + "\nstart the cluster with: make cluster"
			if os.Getenv("CXM_REQUIRE_CLUSTER") == "1" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
		c.Servers = append(c.Servers, conn)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		// A server a test stopped must be back, or the ON CLUSTER drop waits for it.
		for i := range c.Servers {
			c.run("start-server", strconv.Itoa(i+1))
		}
		c.run("zk-start")
		if err := c.Servers[0].Exec(ctx, "DROP DATABASE IF EXISTS "+clickhouse.Ident(c.Cfg.Database)+" ON CLUSTER "+c.Cfg.Cluster); err != nil {
			t.Errorf("drop test database %s on the cluster: %v", c.Cfg.Database, err)
		}
		for _, s := range c.Servers {
			s.Close()
		}
	})
	if _, err := clickhouse.MigrateLayout(ctx, c.Servers[0], c.Cfg.Database, schemas.ClickHouseMigrations(), nil, cluster.Cluster{Name: c.Cfg.Cluster}); err != nil {
		t.Fatalf("migrate test database %s on the cluster: %v", c.Cfg.Database, err)
	}
	return c
}

// run calls deploy/local/cluster.sh with args, failing the test when it fails.
func (c *Cluster) run(args ...string) {
	c.t.Helper()
	out, err := exec.Command("bash", append([]string{c.script}, args...)...).CombinedOutput()
	if err != nil {
		c.t.Fatalf("cluster.sh %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	c.t.Logf("cluster.sh %s: %s", strings.Join(args, " "), strings.TrimSpace(string(out)))
}

// Kill kill -9s server n (1..4).
func (c *Cluster) Kill(n int) { c.run("kill", strconv.Itoa(n)) }

// Start starts server n again and waits until it answers.
func (c *Cluster) Start(n int) { c.run("start-server", strconv.Itoa(n)) }

// Stop stops server n gracefully.
func (c *Cluster) Stop(n int) { c.run("stop-server", strconv.Itoa(n)) }

// StopZooKeeper and StartZooKeeper stop and start the cluster's ZooKeeper.
func (c *Cluster) StopZooKeeper()  { c.run("zk-stop") }
func (c *Cluster) StartZooKeeper() { c.run("zk-start") }
