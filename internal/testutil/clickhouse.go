package testutil

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/schemas"
)

// ClickHouse connects to the test server (env CXM_TEST_CLICKHOUSE, default 127.0.0.1:9000), creates a
// database of its own for the test, applies the migrations and drops the database at cleanup. The returned
// config names that database.
//
// An unreachable server fails the test when CXM_REQUIRE_SERVICES=1 (make test, CI) and skips it otherwise.
func ClickHouse(t testing.TB) (driver.Conn, config.ClickHouse) {
	t.Helper()
	addr := os.Getenv("CXM_TEST_CLICKHOUSE")
	if addr == "" {
		addr = "127.0.0.1:9000"
	}
	cfg := config.ClickHouse{
		Addr:         []string{addr},
		Database:     uniqueDatabase(t),
		Username:     "default",
		DialTimeout:  3 * time.Second,
		ReadTimeout:  time.Minute,
		MaxOpenConns: 4,
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := clickhouse.Open(ctx, cfg)
	if err != nil {
		msg := "ClickHouse at " + addr + " (CXM_TEST_CLICKHOUSE) is unreachable: " + err.Error() +
			"\nstart it with: deploy/local/clickhouse.sh start"
		if os.Getenv("CXM_REQUIRE_SERVICES") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Cleanup(func() {
		// The test's context is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+clickhouse.Ident(cfg.Database)); err != nil {
			t.Errorf("drop test database %s: %v", cfg.Database, err)
		}
		conn.Close()
	})
	if _, err := clickhouse.Migrate(ctx, conn, cfg.Database, schemas.ClickHouseMigrations(), nil); err != nil {
		t.Fatalf("migrate test database %s: %v", cfg.Database, err)
	}
	return conn, cfg
}

// uniqueDatabase names the database after the test, so a leftover from a killed run says where it came
// from, plus random bytes so parallel tests and packages never share one.
func uniqueDatabase(t testing.TB) string {
	var b strings.Builder
	b.WriteString("cxm_test_")
	for _, r := range strings.ToLower(t.Name()) {
		if b.Len() >= 48 {
			break
		}
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		t.Fatalf("random database name: %v", err)
	}
	b.WriteByte('_')
	b.WriteString(hex.EncodeToString(rnd[:]))
	return b.String()
}
