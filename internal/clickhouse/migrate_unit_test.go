package clickhouse

import (
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/cxm-project/cxm/schemas"
)

func TestSplitStatements(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"one without semicolon", "SELECT 1", []string{"SELECT 1"}},
		{"two", "CREATE TABLE a (x UInt8) ENGINE = Memory;\nCREATE TABLE b (x UInt8)\nENGINE = Memory;\n",
			[]string{"CREATE TABLE a (x UInt8) ENGINE = Memory", "CREATE TABLE b (x UInt8)\nENGINE = Memory"}},
		{"comment lines dropped, semicolon in comment ignored", "-- first; not a statement end;\nSELECT 1;\n-- trailing\n",
			[]string{"SELECT 1"}},
		{"semicolon inside a line does not split", "SELECT ';' AS s;\n", []string{"SELECT ';' AS s"}},
		{"blank and whitespace-only", "\n  \n;\n", nil},
		{"trailing spaces after semicolon", "SELECT 1;  \r\nSELECT 2", []string{"SELECT 1", "SELECT 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SplitStatements(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("SplitStatements(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLoadMigrationsRejects(t *testing.T) {
	tests := []struct {
		name    string
		fs      fstest.MapFS
		wantErr string
	}{
		{"bad name", fstest.MapFS{"1_x.sql": {Data: []byte("SELECT 1")}}, "1_x.sql: name must be NNN_name.sql"},
		{"upper case", fstest.MapFS{"001_X.sql": {Data: []byte("SELECT 1")}}, "001_X.sql: name must be"},
		{"version zero", fstest.MapFS{"000_x.sql": {Data: []byte("SELECT 1")}}, "000_x.sql: version must be"},
		{"duplicate", fstest.MapFS{"001_a.sql": {Data: []byte("SELECT 1")}, "0001_b.sql": {Data: []byte("SELECT 1")}},
			"version 1 already used"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadMigrations(tt.fs)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("LoadMigrations: err = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestLoadMigrationsOrderAndChecksum(t *testing.T) {
	ms, err := LoadMigrations(fstest.MapFS{
		"010_b.sql":   {Data: []byte("SELECT 2")},
		"002_a.sql":   {Data: []byte("SELECT 1")},
		"README.md":   {Data: []byte("not a migration")},
		"sub/1_x.sql": {Data: []byte("in a folder: ignored")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].File != "002_a.sql" || ms[1].File != "010_b.sql" || ms[0].Version != 2 || ms[0].Name != "a" {
		t.Fatalf("LoadMigrations = %+v", ms)
	}
	// sha256("SELECT 1")
	if want := "e004ebd5b5532a4b85984a62f8ad48a81aa3460c1ca07701f386135d72cdecf5"; ms[0].Checksum != want {
		t.Fatalf("checksum = %s, want %s", ms[0].Checksum, want)
	}
}

// TestRenderEventsByVersion renders the real 001_events.sql for an old and a current server: the DDL
// differs only where a feature is gated.
func TestRenderEventsByVersion(t *testing.T) {
	ms, err := LoadMigrations(schemas.ClickHouseMigrations())
	if err != nil {
		t.Fatal(err)
	}
	var events Migration
	for _, m := range ms {
		if m.File == "001_events.sql" {
			events = m
		}
	}
	if events.File == "" {
		t.Fatal("001_events.sql not embedded")
	}
	tests := []struct {
		version      string
		contains     []string
		notContained []string
	}{
		{"18.16.1",
			[]string{"CREATE TABLE IF NOT EXISTS `cxm_x`.events", "location String,", "time DateTime('UTC'),", "ext String,",
				"kind Enum8('' = 0,", "`in` UInt32", "nps Nullable(UInt8)", "ORDER BY (location, time, id)", "PARTITION BY toYYYYMM(time)"},
			[]string{"LowCardinality", "CODEC", "TTL", "{{", "}}"}},
		{"19.1.6",
			[]string{"location String,", "time DateTime('UTC') CODEC(Delta, LZ4),", "ext String CODEC(ZSTD(1)),"},
			[]string{"LowCardinality", "TTL"}},
		{"24.8.4.13",
			[]string{"location LowCardinality(String),", "device LowCardinality(String),", "currency LowCardinality(String),",
				"time DateTime('UTC') CODEC(Delta, LZ4),", "comment String CODEC(ZSTD(1)),", "ORDER BY (location, time, id)"},
			[]string{"location String,", "TTL", "{{"}},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			v, err := ParseVersion(tt.version)
			if err != nil {
				t.Fatal(err)
			}
			stmts, err := events.Render("cxm_x", v)
			if err != nil {
				t.Fatal(err)
			}
			if len(stmts) != 1 {
				t.Fatalf("%d statements, want 1: %q", len(stmts), stmts)
			}
			for _, s := range tt.contains {
				if !strings.Contains(stmts[0], s) {
					t.Errorf("rendered DDL lacks %q:\n%s", s, stmts[0])
				}
			}
			for _, s := range tt.notContained {
				if strings.Contains(stmts[0], s) {
					t.Errorf("rendered DDL has %q:\n%s", s, stmts[0])
				}
			}
		})
	}
}

func TestRenderTemplateErrors(t *testing.T) {
	for _, src := range []string{"{{ .Nope }}", "{{ if .AtLeast 19 }}x{{ end }}", "{{ .DB"} {
		m := Migration{File: "001_bad.sql", Source: src}
		if _, err := m.Render("d", Version{Major: 18, Minor: 16}); err == nil || !strings.Contains(err.Error(), "001_bad.sql") {
			t.Errorf("Render(%q): err = %v, want an error naming the file", src, err)
		}
	}
}

func TestValidateDatabase(t *testing.T) {
	for name, ok := range map[string]bool{"cxm": true, "_x1": true, "cxm_test_A9": true, "": false, "1cxm": false, "a-b": false, "a`b": false, "a.b": false} {
		if err := ValidateDatabase(name); (err == nil) != ok {
			t.Errorf("ValidateDatabase(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}
