package cluster

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/schemas"
)

func migrations(t *testing.T) []clickhouse.Migration {
	t.Helper()
	ms, err := clickhouse.LoadMigrations(schemas.ClickHouseMigrations())
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 {
		t.Fatal("no migrations in schemas/clickhouse")
	}
	return ms
}

// TestSchemaUpToDate: schema.sql is what the generator makes of today's migrations.
func TestSchemaUpToDate(t *testing.T) {
	stmts, err := Generate(migrations(t), "cxm")
	if err != nil {
		t.Fatal(err)
	}
	want := Format(stmts, Header)
	got, err := os.ReadFile("schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatal("deploy/clickhouse-cluster/schema.sql is stale: run `go generate ./deploy/clickhouse-cluster` and commit it")
	}
}

// clusterStatements parses schema.sql (the committed file, as an operator applies it).
func clusterStatements(t *testing.T) (tables map[string]Table, views map[string]string, inserts []string) {
	t.Helper()
	b, err := os.ReadFile("schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	tables, views = map[string]Table{}, map[string]string{}
	for _, s := range clickhouse.SplitStatements(string(b)) {
		if !strings.Contains(s, "ON CLUSTER '{cluster}'") && !strings.HasPrefix(s, "INSERT INTO") {
			t.Errorf("schema.sql statement is neither ON CLUSTER nor a schema_migrations record:\n%s", s)
		}
		if tb, ok, err := ParseCreateTable(s); ok {
			if err != nil {
				t.Fatalf("schema.sql: %v\n%s", err, s)
			}
			tables[tb.Name] = tb
			continue
		}
		if v := regexp.MustCompile(`^CREATE MATERIALIZED VIEW IF NOT EXISTS \S+\.(\w+) `).FindStringSubmatch(s); v != nil {
			views[v[1]] = s
			continue
		}
		if strings.HasPrefix(s, "INSERT INTO `cxm`.schema_migrations ") {
			inserts = append(inserts, s)
		}
	}
	return tables, views, inserts
}

// originals renders the single-node migrations (as for the cluster's server version) and returns their
// tables and views, plus schema_migrations as internal/clickhouse/migrate.go creates it.
func originals(t *testing.T) (map[string]Table, map[string]string) {
	t.Helper()
	tables, views := map[string]Table{}, map[string]string{}
	for _, m := range migrations(t) {
		stmts, err := m.Render("cxm", Version)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range stmts {
			if tb, ok, err := ParseCreateTable(s); ok {
				if err != nil {
					t.Fatalf("%s: %v", m.File, err)
				}
				tables[tb.Name] = tb
			}
			if v := regexp.MustCompile(`^CREATE MATERIALIZED VIEW IF NOT EXISTS \S+\.(\w+) `).FindStringSubmatch(s); v != nil {
				views[v[1]] = s
			}
		}
	}
	src, err := os.ReadFile("../../internal/clickhouse/migrate.go")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)`(CREATE TABLE IF NOT EXISTS ` ?\\+ ?db ?\\+ ?`\\.schema_migrations .*?)`").FindSubmatch(src)
	if m == nil {
		t.Fatal("internal/clickhouse/migrate.go: the schema_migrations CREATE TABLE was not found; update this test")
	}
	sm, ok, err := ParseCreateTable(regexp.MustCompile("` ?\\+ ?db ?\\+ ?`").ReplaceAllString(string(m[1]), "`cxm`"))
	if !ok || err != nil {
		t.Fatalf("schema_migrations in migrate.go: %v", err)
	}
	tables["schema_migrations"] = sm
	return tables, views
}

// TestEveryTableHasItsClusterCounterpart compares schema.sql with the migrations table by table: the same
// columns (names and types, in order), the replicated form of the same engine with its arguments, the same
// ORDER BY / PARTITION BY, the layout's names, ZooKeeper paths and Distributed table.
func TestEveryTableHasItsClusterCounterpart(t *testing.T) {
	orig, origViews := originals(t)
	got, views, inserts := clusterStatements(t)
	want := []string{"events", "kpi_minute", "like_minute", "survey_minute", "kpi_status", "kpi_status_history", "kpi_hour", "kpi_5m", "kpi_day", "kpi_hour_total", "schema_migrations"}
	for _, w := range want {
		if _, ok := orig[w]; !ok {
			t.Errorf("the migrations no longer create %s: update this test and Layouts", w)
		}
	}
	paths := map[string]string{}
	accounted := map[string]bool{}
	for name, o := range orig {
		if len(o.Columns) == 0 {
			t.Errorf("%s: parsed no columns", name)
		}
		layout := Layouts[name]
		local := name
		if layout == Sharded {
			local = name + "_local"
		}
		c, ok := got[local]
		if !ok {
			t.Errorf("%s has no cluster counterpart %s in schema.sql", name, local)
			continue
		}
		accounted[local] = true
		if !slices.Equal(o.Columns, c.Columns) {
			t.Errorf("%s: columns differ from the migration:\n single node %v\n cluster     %v", local, o.Columns, c.Columns)
		}
		if c.Engine != "Replicated"+o.Engine {
			t.Errorf("%s: engine %s, want Replicated%s", local, c.Engine, o.Engine)
		}
		args := splitTopLevel(c.EngineArgs)
		if len(args) < 2 {
			t.Errorf("%s: engine arguments %q, want the ZooKeeper path and replica first", local, c.EngineArgs)
			continue
		}
		path, replica := strings.TrimSpace(args[0]), strings.TrimSpace(args[1])
		wantPath := "'/clickhouse/tables/{shard}/{database}/" + name + "'"
		if layout == Replicated {
			wantPath = "'/clickhouse/tables/all/{database}/" + name + "'"
		}
		if path != wantPath || replica != "'{replica}'" {
			t.Errorf("%s: path %s replica %s, want %s and '{replica}'", local, path, replica, wantPath)
		}
		if other, dup := paths[path]; dup {
			t.Errorf("%s and %s share the ZooKeeper path %s", local, other, path)
		}
		paths[path] = local
		if rest := strings.Join(args[2:], ","); strings.TrimSpace(rest) != strings.TrimSpace(o.EngineArgs) {
			t.Errorf("%s: engine arguments after the replica %q, want the migration's %q", local, rest, o.EngineArgs)
		}
		if c.Rest != o.Rest {
			t.Errorf("%s: clauses %q, want the migration's %q", local, c.Rest, o.Rest)
		}
		if layout == Sharded {
			d, ok := got[name]
			if !ok {
				t.Errorf("%s has no Distributed table %s", local, name)
				continue
			}
			accounted[name] = true
			wantArgs := "'{cluster}', `cxm`, " + local + ", cityHash64(location)"
			if d.Engine != "Distributed" || d.EngineArgs != wantArgs || d.As != "`cxm`."+local {
				t.Errorf("%s: %s(%s) AS %s, want Distributed(%s) AS `cxm`.%s", name, d.Engine, d.EngineArgs, d.As, wantArgs, local)
			}
			if !slices.ContainsFunc(o.Columns, func(c Column) bool { return c.Name == "location" }) {
				t.Errorf("%s is sharded by location but has no location column", name)
			}
		}
	}
	for name := range got {
		if !accounted[name] {
			t.Errorf("schema.sql creates %s, which no migration creates", name)
		}
	}
	for name := range Layouts {
		if _, ok := orig[name]; !ok {
			t.Errorf("Layouts lists %s, which no migration creates", name)
		}
	}
	// Materialized views: the same SELECT, on the local tables.
	for name, o := range origViews {
		c, ok := views[name]
		if !ok {
			t.Errorf("materialized view %s has no cluster counterpart", name)
			continue
		}
		oSel := o[strings.Index(o, " AS\n"):]
		cSel := c[strings.Index(c, " AS\n"):]
		for table, layout := range Layouts {
			if layout == Sharded {
				oSel = strings.ReplaceAll(oSel, "`cxm`."+table+"\n", "`cxm`."+table+"_local\n")
			}
		}
		if oSel != cSel {
			t.Errorf("materialized view %s: SELECT differs from the migration's:\n%s\n---\n%s", name, oSel, cSel)
		}
	}
	if len(views) != len(origViews) {
		t.Errorf("schema.sql has %d materialized views, the migrations %d", len(views), len(origViews))
	}
	// Every migration is recorded with the checksum cxm migrate computes.
	for _, m := range migrations(t) {
		if !slices.ContainsFunc(inserts, func(s string) bool {
			return strings.Contains(s, "'"+m.Checksum+"'") && strings.Contains(s, "'"+m.Name+"'")
		}) {
			t.Errorf("schema.sql does not record %s (checksum %s) in schema_migrations", m.File, m.Checksum)
		}
	}
}

// TestGenerateRefusesWhatItCannotMap: a new table needs a layout, and a statement kind the generator does
// not know fails instead of being dropped.
func TestGenerateRefusesWhatItCannotMap(t *testing.T) {
	cases := map[string]string{
		"001_x.sql": "CREATE TABLE IF NOT EXISTS {{ .DB }}.brand_new\n(\n    location String\n)\nENGINE = MergeTree\nORDER BY location;\n",
		"002_y.sql": "CREATE TABLE IF NOT EXISTS {{ .DB }}.events\n(\n    location String\n)\nENGINE = MergeTree\nORDER BY location;\n" +
			"ALTER TABLE {{ .DB }}.events DROP COLUMN location;\n",
		"003_z.sql": "CREATE TABLE IF NOT EXISTS {{ .DB }}.events\n(\n    location String\n)\nENGINE = AggregatingMergeTree\nORDER BY location;\n",
	}
	wants := map[string]string{
		"001_x.sql": "table brand_new has no layout",
		"002_y.sql": `does not handle "ALTER TABLE`,
		"003_z.sql": "engine AggregatingMergeTree has no replicated counterpart",
	}
	for file, src := range cases {
		ms, err := clickhouse.LoadMigrations(fstest.MapFS{file: {Data: []byte(src)}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = Generate(ms, "cxm")
		if err == nil || !strings.Contains(err.Error(), wants[file]) {
			t.Errorf("%s: got error %v, want one containing %q", file, err, wants[file])
		}
	}
}
