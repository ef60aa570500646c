//go:build ignore

// gen writes schema.sql, the cluster variant of schemas/clickhouse (package cluster). From this directory:
//
//	go generate                        # or: go run gen.go [-database cxm] [-o schema.sql]
//
// A database other than cxm: go run gen.go -database analytics -o /tmp/schema.sql
package main

import (
	"flag"
	"fmt"
	"log"
	"os"

	cluster "github.com/cxm-project/cxm/deploy/clickhouse-cluster"
	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/schemas"
)

func main() {
	database := flag.String("database", "cxm", "database name (clickhouse.database)")
	out := flag.String("o", "schema.sql", "output file")
	flag.Parse()
	ms, err := clickhouse.LoadMigrations(schemas.ClickHouseMigrations())
	if err != nil {
		log.Fatal(err)
	}
	stmts, err := cluster.Generate(ms, *database)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, []byte(cluster.Format(stmts, cluster.Header)), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %s: %d statements\n", *out, len(stmts))
}
