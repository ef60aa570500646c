package clickhouse

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Migration is one schemas/clickhouse/NNN_name.sql file.
type Migration struct {
	Version  uint32
	Name     string // without the number and .sql: "events"
	File     string // "001_events.sql"
	Source   string // the file's text, a text/template
	Checksum string // hex SHA-256 of Source
}

// TemplateData is what a migration's template sees.
type TemplateData struct {
	// DB is the target database, already backquoted: {{ .DB }}.events.
	DB string
	// Database is the bare name, for string literals (system.tables WHERE database = '...').
	Database string
	Version
}

var migrationName = regexp.MustCompile(`^([0-9]{3,})_([a-z0-9_]+)\.sql$`)

// LoadMigrations reads the *.sql files at the root of fsys, sorted by version. Names that do not match
// NNN_name.sql and duplicate versions are errors: a silently skipped file is a migration never applied.
func LoadMigrations(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []Migration
	seen := map[uint32]string{}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration %s: name must be NNN_name.sql (digits, underscore, lower-case name)", e.Name())
		}
		v, err := strconv.ParseUint(m[1], 10, 32)
		if err != nil || v == 0 {
			return nil, fmt.Errorf("migration %s: version must be a number from 1 to %d", e.Name(), uint32(1<<32-1))
		}
		if other, dup := seen[uint32(v)]; dup {
			return nil, fmt.Errorf("migration %s: version %d already used by %s", e.Name(), v, other)
		}
		seen[uint32(v)] = e.Name()
		src, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", e.Name(), err)
		}
		sum := sha256.Sum256(src)
		ms = append(ms, Migration{
			Version: uint32(v), Name: m[2], File: e.Name(),
			Source: string(src), Checksum: hex.EncodeToString(sum[:]),
		})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

// Render executes the migration's template for a server version and database and splits the result into
// statements.
func (m Migration) Render(database string, v Version) ([]string, error) {
	t, err := template.New(m.File).Option("missingkey=error").Parse(m.Source)
	if err != nil {
		return nil, fmt.Errorf("migration %s: template: %w", m.File, err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, TemplateData{DB: Ident(database), Database: database, Version: v}); err != nil {
		return nil, fmt.Errorf("migration %s: template: %w", m.File, err)
	}
	return SplitStatements(b.String()), nil
}

// SplitStatements splits SQL at semicolons that end a line. Whole-line "--" comments are dropped first so
// that a semicolon in a comment cannot cut a statement; a ";" ending a line inside a string literal is not
// supported (no migration needs one).
func SplitStatements(sql string) []string {
	var stmts []string
	var cur strings.Builder
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			stmts = append(stmts, s)
		}
		cur.Reset()
	}
	for _, line := range strings.Split(sql, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "--") {
			continue
		}
		if strings.HasSuffix(t, ";") {
			cur.WriteString(strings.TrimSuffix(strings.TrimRight(line, " \t\r"), ";"))
			flush()
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
	}
	flush()
	return stmts
}

// Layout maps the migrations onto servers: SingleServer (what Migrate uses) or a cluster's layout
// (deploy/clickhouse-cluster). Plan returns the statements that create the database and schema_migrations,
// and each migration's statements by version, rendered for the server version v.
type Layout interface {
	Plan(ms []Migration, database string, v Version) (bootstrap []string, perVersion map[uint32][]string, err error)
}

// SingleServer is the layout of one server: the migrations as written.
type SingleServer struct{}

// Plan renders every migration as written, after CREATE DATABASE and the schema_migrations table.
func (SingleServer) Plan(ms []Migration, database string, v Version) ([]string, map[uint32][]string, error) {
	db := Ident(database)
	boot := []string{"CREATE DATABASE IF NOT EXISTS " + db, `CREATE TABLE IF NOT EXISTS ` + db + `.schema_migrations (
	version UInt32,
	name String,
	checksum String,
	applied_at DateTime('UTC')
) ENGINE = MergeTree ORDER BY version`}
	per := map[uint32][]string{}
	for _, m := range ms {
		stmts, err := m.Render(database, v)
		if err != nil {
			return nil, nil, err
		}
		per[m.Version] = stmts
	}
	return boot, per, nil
}

// Migrate creates database if needed and applies the migrations in fsys that schema_migrations does not
// record yet, in version order, returning the files it applied. An applied migration whose file changed
// since is refused: schemas move forward by new files, never by editing old ones.
//
// ClickHouse has no transactional DDL: a migration that fails half way is not recorded and runs again from
// its first statement next time, so its statements must be idempotent (IF NOT EXISTS). Run one migrator at
// a time.
func Migrate(ctx context.Context, conn driver.Conn, database string, fsys fs.FS, log *slog.Logger) ([]string, error) {
	return MigrateLayout(ctx, conn, database, fsys, log, SingleServer{})
}

// MigrateLayout is Migrate with the statements of a layout: on a cluster the same migrations, recorded with
// the same checksums, become ON CLUSTER DDL of replicated and distributed tables.
func MigrateLayout(ctx context.Context, conn driver.Conn, database string, fsys fs.FS, log *slog.Logger, layout Layout) ([]string, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := ValidateDatabase(database); err != nil {
		return nil, err
	}
	ms, err := LoadMigrations(fsys)
	if err != nil {
		return nil, err
	}
	v, err := ServerVersion(ctx, conn)
	if err != nil {
		return nil, err
	}
	db := Ident(database)
	boot, plan, err := layout.Plan(ms, database, v)
	if err != nil {
		return nil, err
	}
	for _, s := range boot {
		if err := conn.Exec(ctx, s); err != nil {
			first, _, _ := strings.Cut(s, "\n")
			return nil, fmt.Errorf("create %s (%s): %w", database, first, err)
		}
	}
	done, err := appliedMigrations(ctx, conn, db)
	if err != nil {
		return nil, err
	}
	files := map[uint32]bool{}
	for _, m := range ms {
		files[m.Version] = true
		a, ok := done[m.Version]
		if !ok {
			continue
		}
		if a.checksum != m.Checksum {
			return nil, fmt.Errorf("migration %s was changed after it was applied to %s: checksum recorded %s, file now %s; add a new migration instead of editing an applied one",
				m.File, database, a.checksum, m.Checksum)
		}
		if a.name != m.Name {
			return nil, fmt.Errorf("migration %s: version %d was applied to %s as %q", m.File, m.Version, database, a.name)
		}
	}
	// The lowest unknown version is named, so the message is the same on every run.
	for _, ver := range slices.Sorted(maps.Keys(done)) {
		if a := done[ver]; !files[ver] {
			return nil, fmt.Errorf("%s.schema_migrations records version %d (%s) but there is no such migration file: is this binary older than the schema?", database, ver, a.name)
		}
	}
	var applied []string
	for _, m := range ms {
		if _, ok := done[m.Version]; ok {
			continue
		}
		stmts := plan[m.Version]
		for i, s := range stmts {
			if err := conn.Exec(ctx, s); err != nil {
				return applied, fmt.Errorf("migration %s statement %d of %d on ClickHouse %s: %w", m.File, i+1, len(stmts), v, err)
			}
		}
		if err := record(ctx, conn, db, m); err != nil {
			return applied, fmt.Errorf("migration %s applied but not recorded: %w", m.File, err)
		}
		log.Info("applied migration", "file", m.File, "statements", len(stmts), "database", database)
		applied = append(applied, m.File)
	}
	return applied, nil
}

type appliedMigration struct{ name, checksum string }

func appliedMigrations(ctx context.Context, conn driver.Conn, db string) (map[uint32]appliedMigration, error) {
	rows, err := conn.Query(ctx, "SELECT version, name, checksum FROM "+db+".schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("read %s.schema_migrations: %w", db, err)
	}
	defer rows.Close()
	done := map[uint32]appliedMigration{}
	for rows.Next() {
		var (
			v uint32
			a appliedMigration
		)
		if err := rows.Scan(&v, &a.name, &a.checksum); err != nil {
			return nil, fmt.Errorf("read %s.schema_migrations: %w", db, err)
		}
		done[v] = a
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s.schema_migrations: %w", db, err)
	}
	return done, nil
}

// record inserts through a batch: over the native protocol 18.16 answers an INSERT ... VALUES by waiting
// for a data block, so inline values would hang until the read timeout.
func record(ctx context.Context, conn driver.Conn, db string, m Migration) error {
	b, err := conn.PrepareBatch(ctx, "INSERT INTO "+db+".schema_migrations (version, name, checksum, applied_at)")
	if err != nil {
		return err
	}
	defer b.Close()
	if err := b.Append(m.Version, m.Name, m.Checksum, time.Now().UTC()); err != nil {
		return err
	}
	return b.Send()
}
