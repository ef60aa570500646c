// Package cluster derives the ClickHouse-cluster variant of CXM's schema from the single-node migrations
// in schemas/clickhouse, so the two cannot drift: schema.sql next to this file is its output (go generate
// rewrites it; the tests fail while it is stale or a table lacks its counterpart).
//
// Each table gets one of two layouts (Layouts; a table without one is an error, so a new migration forces
// the choice):
//
//   - Sharded: <table>_local, a Replicated*MergeTree on every shard with ZooKeeper path
//     /clickhouse/tables/{shard}/{database}/<table>, and a Distributed table of the original name over it,
//     sharded by cityHash64(location): one location's rows stay on one shard.
//   - Replicated: the original name as a Replicated*MergeTree with the path /clickhouse/tables/all/{database}/
//     <table>, so every server of the cluster holds a full replica. For the tables whose rows carry the
//     processor's effectively-once marks (kpi_minute, like_minute) and what is fed from them: one INSERT
//     must stay one block on one table for max(last_offset) to mean what it means (deploy/README.md).
//
// Statements are created ON CLUSTER '{cluster}'. Materialized views are created on every server, reading
// and writing the local tables. The migrations' one-time INSERT … SELECT backfills are left out: the
// cluster schema is created empty. Every migration is recorded in schema_migrations with the checksum
// `cxm migrate` computes, so tools that read it (the Grafana plugin's health check) see the version.
package cluster

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/cxm-project/cxm/internal/clickhouse"
)

//go:generate go run gen.go

// Layout says how a table is laid out on the cluster.
type Layout int

const (
	// Sharded is <table>_local on each shard plus a Distributed <table> by cityHash64(location).
	Sharded Layout = iota + 1
	// Replicated is one <table> replicated to every server of the cluster.
	Replicated
)

// Layouts is the layout of every table the migrations create, and of schema_migrations.
var Layouts = map[string]Layout{
	"events":             Sharded,
	"kpi_status":         Sharded,
	"kpi_status_history": Sharded,

	// The processor's marks: max(last_offset) per Kafka partition must cover exactly one atomic INSERT.
	"kpi_minute":  Replicated,
	"like_minute": Replicated,
	// Configured questionnaires' components, with the same marks (written before kpi_minute).
	"survey_minute": Replicated,
	// Audit components (ИВС per template, factor, employee, element): the processor's marks too.
	"audit_minute": Replicated,
	// Fed by materialized views on kpi_minute, on the server that receives the insert.
	"kpi_hour":       Replicated,
	"kpi_5m":         Replicated,
	"kpi_day":        Replicated,
	"kpi_hour_total": Replicated,

	"schema_migrations": Replicated,
}

// Version is the server version the migrations' templates are rendered for: a cluster runs current
// ClickHouse (the compose file's 25.8), so every gated feature (codecs, LowCardinality) is on.
var Version = clickhouse.Version{Major: 25, Minor: 8, Raw: "25.8"}

// SchemaMigrationsDDL is the table internal/clickhouse.Migrate creates in Go (not in a migration file); the
// test compares its columns with migrate.go's.
const SchemaMigrationsDDL = `CREATE TABLE IF NOT EXISTS %s.schema_migrations
(
    version UInt32,
    name String,
    checksum String,
    applied_at DateTime('UTC')
)
ENGINE = MergeTree
ORDER BY version`

// Table is a parsed CREATE TABLE statement.
type Table struct {
	DB, Name string
	Columns  []Column
	// Engine is the engine's name, EngineArgs what is inside its parentheses ("" when none).
	Engine, EngineArgs string
	// Rest is what follows the engine clause: PARTITION BY, ORDER BY, SETTINGS.
	Rest string
	// As is the table after AS (CREATE TABLE x AS y ENGINE = Distributed(...)), without columns.
	As string
}

// Column is one column definition: its name (without backquotes), its name as written, and the rest
// (type, codec, default).
type Column struct{ Name, Quoted, Type string }

var (
	createTable = regexp.MustCompile(`(?s)^CREATE TABLE IF NOT EXISTS ([^\s.]+)\.(\w+)(?: ON CLUSTER '[^']*')?\s*(.*)$`)
	engineLine  = regexp.MustCompile(`(?m)^\s*ENGINE\s*=\s*(\w+)(.*)$`)
	createView  = regexp.MustCompile(`(?s)^CREATE MATERIALIZED VIEW IF NOT EXISTS ([^\s.]+)\.(\w+) TO ([^\s.]+)\.(\w+) AS\s+(.*)$`)
	insertInto  = regexp.MustCompile(`(?s)^INSERT INTO \S+\s+SELECT`)
	alterAdd    = regexp.MustCompile(`(?s)^ALTER TABLE ([^\s.]+)\.(\w+) ((?:ADD|MODIFY) COLUMN .*)$`)
	asTable     = regexp.MustCompile(`^AS (\S+)\s+`)
)

// ParseCreateTable parses a CREATE TABLE IF NOT EXISTS statement as the migrations write them: the column
// list in parentheses, then ENGINE = … on a line of its own, then the table's clauses. It returns ok=false
// for other statements.
func ParseCreateTable(stmt string) (Table, bool, error) {
	m := createTable.FindStringSubmatch(strings.TrimSpace(stmt))
	if m == nil {
		return Table{}, false, nil
	}
	t := Table{DB: m[1], Name: m[2]}
	body := m[3]
	if as := asTable.FindStringSubmatch(body); as != nil {
		t.As = as[1]
		body = body[len(as[0]):]
	} else {
		if !strings.HasPrefix(body, "(") {
			return t, true, fmt.Errorf("table %s: want a column list in parentheses", t.Name)
		}
		end := matchParen(body, 0)
		if end < 0 {
			return t, true, fmt.Errorf("table %s: unbalanced parentheses", t.Name)
		}
		for _, def := range splitTopLevel(body[1:end]) {
			def = strings.TrimSpace(def)
			if def == "" {
				continue
			}
			name, typ, _ := strings.Cut(def, " ")
			t.Columns = append(t.Columns, Column{Name: strings.Trim(name, "`"), Quoted: name, Type: strings.TrimSpace(typ)})
		}
		body = body[end+1:]
	}
	e := engineLine.FindStringSubmatchIndex(body)
	if e == nil {
		return t, true, fmt.Errorf("table %s: no ENGINE = line", t.Name)
	}
	t.Engine = body[e[2]:e[3]]
	args := strings.TrimSpace(body[e[4]:e[5]])
	if strings.HasPrefix(args, "(") {
		end := matchParen(args, 0)
		if end < 0 {
			return t, true, fmt.Errorf("table %s: unbalanced engine arguments", t.Name)
		}
		t.EngineArgs = args[1:end]
		args = strings.TrimSpace(args[end+1:])
	}
	t.Rest = strings.TrimSpace(args + "\n" + body[e[1]:])
	return t, true, nil
}

// scanSQL walks s from i, skipping quoted text, and calls visit with each unquoted byte and the
// parenthesis depth after it; visit returns false to stop. It returns where it stopped (len(s) at the end).
func scanSQL(s string, i int, visit func(i int, c byte, depth int) bool) int {
	depth := 0
	var quote byte
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
			continue
		case c == '\'' || c == '`' || c == '"':
			quote = c
			continue
		case c == '(':
			depth++
		case c == ')':
			depth--
		}
		if !visit(i, c, depth) {
			return i
		}
	}
	return len(s)
}

// matchParen returns the index of the parenthesis closing the one at s[open], ignoring quoted text.
func matchParen(s string, open int) int {
	end := scanSQL(s, open, func(_ int, c byte, depth int) bool { return !(c == ')' && depth == 0) })
	if end == len(s) {
		return -1
	}
	return end
}

// splitTopLevel splits at commas outside parentheses and quotes.
func splitTopLevel(s string) []string {
	var out []string
	start := 0
	scanSQL(s, 0, func(i int, c byte, depth int) bool {
		if c == ',' && depth == 0 {
			out = append(out, s[start:i])
			start = i + 1
		}
		return true
	})
	return append(out, s[start:])
}

// Statement is one statement of the cluster schema with a comment saying what it is.
type Statement struct{ Comment, SQL string }

// Generate renders the migrations for database and returns the cluster schema's statements: schema.sql,
// for the server version Version, with the {cluster} macro and the records of every migration.
func Generate(ms []clickhouse.Migration, database string) ([]Statement, error) {
	boot, per, err := build(ms, database, Version, "", false)
	if err != nil {
		return nil, err
	}
	out := boot
	for _, m := range ms {
		out = append(out, per[m.Version]...)
	}
	db := clickhouse.Ident(database)
	for _, m := range ms {
		out = append(out, Statement{
			Comment: fmt.Sprintf("record %s as applied (checksum of the file, as cxm migrate computes it)", m.File),
			SQL: fmt.Sprintf("INSERT INTO %s.schema_migrations SELECT toUInt32(%d), '%s', '%s', now()\nWHERE (SELECT count() FROM %s.schema_migrations WHERE version = %d) = 0",
				db, m.Version, m.Name, m.Checksum, db, m.Version),
		})
	}
	return out, nil
}

// Cluster is the cluster layout for `cxm migrate` (clickhouse.Layout): the statements of schema.sql, rendered
// for the server's version, ON CLUSTER the configured cluster Name instead of the {cluster} macro, and with
// the migrations' one-time backfills (INSERT … SELECT into the tables of the original names, which are the
// replicated or the Distributed tables: a backfill run on one server reaches every shard and replica).
type Cluster struct{ Name string }

// Plan implements clickhouse.Layout.
func (l Cluster) Plan(ms []clickhouse.Migration, database string, v clickhouse.Version) ([]string, map[uint32][]string, error) {
	if !clusterName.MatchString(l.Name) {
		return nil, nil, fmt.Errorf("clickhouse.cluster: %q is not a cluster name of <remote_servers> ([A-Za-z_][A-Za-z0-9_.-]*)", l.Name)
	}
	boot, per, err := build(ms, database, v, l.Name, true)
	if err != nil {
		return nil, nil, err
	}
	sqls := func(st []Statement) []string {
		out := make([]string, len(st))
		for i, s := range st {
			out[i] = s.SQL
		}
		return out
	}
	plan := map[uint32][]string{}
	for v, st := range per {
		plan[v] = sqls(st)
	}
	return sqls(boot), plan, nil
}

var clusterName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

// build renders the migrations for one server version: the bootstrap (database, schema_migrations) and each
// migration's statements. cluster "" writes the {cluster} macro; backfills keeps the INSERT … SELECTs.
func build(ms []clickhouse.Migration, database string, version clickhouse.Version, cluster string, backfills bool) ([]Statement, map[uint32][]Statement, error) {
	if err := clickhouse.ValidateDatabase(database); err != nil {
		return nil, nil, err
	}
	on := "'{cluster}'"
	if cluster != "" {
		on = "'" + cluster + "'"
	}
	db := clickhouse.Ident(database)
	boot := []Statement{{
		Comment: "The database, on every server.",
		SQL:     fmt.Sprintf("CREATE DATABASE IF NOT EXISTS %s ON CLUSTER %s", db, on),
	}}
	sm, _, err := ParseCreateTable(fmt.Sprintf(SchemaMigrationsDDL, db))
	if err != nil {
		return nil, nil, err
	}
	tables, err := clusterTable(sm, "created by internal/clickhouse.Migrate", on)
	if err != nil {
		return nil, nil, err
	}
	boot = append(boot, tables...)
	per := map[uint32][]Statement{}
	created := map[string]bool{}
	for _, m := range ms {
		stmts, err := m.Render(database, version)
		if err != nil {
			return nil, nil, err
		}
		var out []Statement
		for i, s := range stmts {
			where := fmt.Sprintf("%s statement %d", m.File, i+1)
			if t, ok, err := ParseCreateTable(s); ok {
				if err != nil {
					return nil, nil, fmt.Errorf("%s: %w", where, err)
				}
				tables, err := clusterTable(t, "from "+m.File, on)
				if err != nil {
					return nil, nil, fmt.Errorf("%s: %w", where, err)
				}
				created[t.Name] = true
				out = append(out, tables...)
				continue
			}
			if v := createView.FindStringSubmatch(s); v != nil {
				src := regexp.MustCompile(`FROM \S+\.(\w+)`).FindAllStringSubmatch(v[5], -1)
				if len(src) != 1 {
					return nil, nil, fmt.Errorf("%s: materialized view %s: want exactly one FROM table", where, v[2])
				}
				for _, name := range []string{v[4], src[0][1]} {
					if !created[name] {
						return nil, nil, fmt.Errorf("%s: materialized view %s uses %s, created by no earlier migration", where, v[2], name)
					}
				}
				out = append(out, Statement{
					Comment: fmt.Sprintf("from %s: on every server, from the local %s to the local %s", m.File, src[0][1], v[4]),
					SQL: fmt.Sprintf("CREATE MATERIALIZED VIEW IF NOT EXISTS %s.%s ON CLUSTER %s TO %s.%s AS\n%s",
						v[1], v[2], on, v[3], localName(v[4]), replaceTable(v[5], src[0][1])),
				})
				continue
			}
			if a := alterAdd.FindStringSubmatch(s); a != nil {
				// A new column, or values added to an enum (metadata only): on a sharded table both the local
				// tables and the Distributed one get it. Other MODIFYs rewrite data and are refused below.
				if !created[a[2]] {
					return nil, nil, fmt.Errorf("%s: ALTER of %s, created by no earlier migration", where, a[2])
				}
				out = append(out, Statement{Comment: "from " + m.File,
					SQL: fmt.Sprintf("ALTER TABLE %s.%s ON CLUSTER %s %s", a[1], localName(a[2]), on, a[3])})
				if Layouts[a[2]] == Sharded {
					// ClickHouse refuses ALTER … ON CLUSTER of a Distributed table when the shards replicate
					// internally (code 371), so the Distributed table, which holds no rows, is made again
					// over the altered local tables.
					out = append(out,
						Statement{Comment: "from " + m.File + ": the Distributed " + a[2] + " again, with the new column",
							SQL: fmt.Sprintf("DROP TABLE IF EXISTS %s.%s ON CLUSTER %s", a[1], a[2], on)},
						distributed(a[1], a[2], on))
				}
				continue
			}
			if insertInto.MatchString(s) {
				// A backfill of a new rollup from existing rows: schema.sql starts empty, a live cluster
				// may not.
				if backfills {
					out = append(out, Statement{Comment: "backfill from " + m.File, SQL: s})
				}
				continue
			}
			first, _, _ := strings.Cut(s, "\n")
			return nil, nil, fmt.Errorf("%s: the cluster generator does not handle %q: teach deploy/clickhouse-cluster/cluster.go how it maps onto the cluster", where, first)
		}
		per[m.Version] = out
	}
	return boot, per, nil
}

func localName(table string) string {
	if Layouts[table] == Sharded {
		return table + "_local"
	}
	return table
}

func replaceTable(sql, table string) string {
	return regexp.MustCompile(`(FROM \S+\.)`+regexp.QuoteMeta(table)+`\b`).ReplaceAllString(sql, "${1}"+localName(table))
}

// Replicated engines take the ZooKeeper path and replica name before the engine's own arguments.
var replicatedEngine = map[string]string{
	"MergeTree":          "ReplicatedMergeTree",
	"SummingMergeTree":   "ReplicatedSummingMergeTree",
	"ReplacingMergeTree": "ReplicatedReplacingMergeTree",
}

func clusterTable(t Table, origin, on string) ([]Statement, error) {
	layout, ok := Layouts[t.Name]
	if !ok {
		return nil, fmt.Errorf("table %s has no layout: add it to cluster.Layouts (Sharded or Replicated)", t.Name)
	}
	engine, ok := replicatedEngine[t.Engine]
	if !ok {
		return nil, fmt.Errorf("table %s: engine %s has no replicated counterpart in the generator", t.Name, t.Engine)
	}
	shard := "{shard}"
	if layout == Replicated {
		shard = "all"
	}
	args := fmt.Sprintf("'/clickhouse/tables/%s/{database}/%s', '{replica}'", shard, t.Name)
	if t.EngineArgs != "" {
		args += ", " + t.EngineArgs
	}
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = "    " + c.Quoted + " " + c.Type
	}
	name := localName(t.Name)
	local := Statement{
		Comment: fmt.Sprintf("%s (%s): %s", t.Name, origin, map[Layout]string{Sharded: "the shard's part", Replicated: "replicated to every server"}[layout]),
		SQL: fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s.%s ON CLUSTER %s\n(\n%s\n)\nENGINE = %s(%s)\n%s",
			t.DB, name, on, strings.Join(cols, ",\n"), engine, args, t.Rest),
	}
	if layout == Replicated {
		return []Statement{local}, nil
	}
	hasLocation := false
	for _, c := range t.Columns {
		hasLocation = hasLocation || c.Name == "location"
	}
	if !hasLocation {
		return nil, fmt.Errorf("table %s is Sharded by location but has no location column", t.Name)
	}
	return []Statement{local, distributed(t.DB, t.Name, on)}, nil
}

// distributed is the Distributed table of a Sharded one: what cxm reads and writes, over table_local.
func distributed(db, table, on string) Statement {
	return Statement{
		Comment: fmt.Sprintf("%s: what cxm reads and writes, spread over the shards by location", table),
		SQL: fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s.%s ON CLUSTER %s AS %s.%s\nENGINE = Distributed(%s, %s, %s, cityHash64(location))",
			db, table, on, db, localName(table), on, db, localName(table)),
	}
}

// Format writes the statements as one SQL file for clickhouse-client --multiquery.
func Format(stmts []Statement, header string) string {
	var b strings.Builder
	b.WriteString(header)
	for _, s := range stmts {
		fmt.Fprintf(&b, "\n-- %s\n%s;\n", s.Comment, s.SQL)
	}
	return b.String()
}

// Header opens schema.sql.
const Header = `-- CXM's ClickHouse schema for a cluster (replicated, sharded). GENERATED from schemas/clickhouse/*.sql by
-- deploy/clickhouse-cluster (go generate ./deploy/clickhouse-cluster): do not edit; deploy/clickhouse-cluster's
-- tests fail while this file is stale. How to apply it and what it assumes: deploy/README.md, section 3.
--
-- The servers need <macros> {cluster}, {shard} and {replica} ({replica} unique per server across the whole
-- cluster: the tables replicated to every server use it too), a <remote_servers> entry named like {cluster}
-- with <internal_replication>true</internal_replication>, and ZooKeeper or ClickHouse Keeper. Apply it on
-- one server: clickhouse-client --multiquery < schema.sql
`
