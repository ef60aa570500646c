package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// run calls Main as the shell would and returns its exit code and output.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = Main(args, &o, &e)
	return code, o.String(), e.String()
}

func TestHelpAndVersion(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		out  string // in stdout
		err  string // in stderr
	}{
		{[]string{"--help"}, 0, "Available Commands:", ""},
		{[]string{"help"}, 0, "Available Commands:", ""},
		{nil, 0, "Available Commands:", ""},
		{[]string{"help", "import"}, 0, "cxm import receipts|counters|audits FILE.csv", ""},
		{[]string{"import", "--help"}, 0, "cxm import receipts|counters|audits FILE.csv", ""},
		{[]string{"token", "new", "--help"}, 0, "cxm token new [flags]", ""},
		{[]string{"version"}, 0, "cxm ", ""},
		{[]string{"--version"}, 0, "cxm ", ""},
		{[]string{"completion", "bash"}, 0, "__start_cxm", ""},
		{[]string{"completion", "zsh"}, 0, "#compdef cxm", ""},
		{[]string{"completion", "fish"}, 0, "complete -c cxm", ""},
		{[]string{"no-such-command"}, 2, "", `unknown command "no-such-command"`},
		{[]string{"token", "old"}, 2, "", `unknown command "old" for "cxm token"`},
		{[]string{"import"}, 2, "", "accepts 2 arg(s), received 0"},
		{[]string{"import", "sales", "x.csv"}, 2, "", `unknown import kind "sales"`},
		{[]string{"migrate", "--no-such-flag"}, 2, "", "unknown flag: --no-such-flag"},
		{[]string{"token", "new", "--http.listen", ":1"}, 2, "", "unknown flag: --http.listen"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := run(t, tc.args...)
			if code != tc.code || !strings.Contains(out, tc.out) || !strings.Contains(errOut, tc.err) {
				t.Errorf("exit %d, want %d\nstdout (want %q):\n%s\nstderr (want %q):\n%s", code, tc.code, tc.out, out, tc.err, errOut)
			}
			if tc.code == 0 && errOut != "" {
				t.Errorf("stderr should be empty on success: %s", errOut)
			}
		})
	}
}

// TestVersionLine: `cxm version` and `--version` print the same single line, naming a version, the
// revision and the Go version.
func TestVersionLine(t *testing.T) {
	_, a, _ := run(t, "version")
	_, b, _ := run(t, "--version")
	if a != b || !regexp.MustCompile(`^cxm \S+ \(revision \S+?(, modified)?, go[0-9.]+\S*\)\n$`).MatchString(a) {
		t.Errorf("version %q, --version %q", a, b)
	}
}

// TestOwnFlags: each command's help lists the config-key flags of the sections it reads, and no others.
func TestOwnFlags(t *testing.T) {
	all := []string{"--http.listen", "--kafka.brokers", "--clickhouse.addr", "--clickhouse.database"}
	for _, tc := range []struct {
		cmd  []string
		want []string
	}{
		{[]string{"run"}, []string{"--http.listen", "--kafka.brokers", "--clickhouse.addr", "--clickhouse.database", "--embedded-broker", "--simulate"}},
		{[]string{"ingest"}, []string{"--http.listen", "--kafka.brokers"}},
		{[]string{"process"}, []string{"--http.listen", "--kafka.brokers", "--clickhouse.addr", "--clickhouse.database"}},
		{[]string{"api"}, []string{"--http.listen", "--kafka.brokers", "--clickhouse.addr", "--clickhouse.database"}}, // kafka: the inbox's case actions
		{[]string{"cases"}, []string{"--http.listen", "--kafka.brokers", "--clickhouse.addr", "--clickhouse.database"}},
		{[]string{"migrate"}, []string{"--clickhouse.addr", "--clickhouse.database"}},
		{[]string{"import"}, []string{"--kafka.brokers", "--dry-run", "--max-errors"}},
		{[]string{"kafka"}, []string{"--broker.listen", "--broker.data_dir"}},
		{[]string{"simulate"}, []string{"--simulate.target", "--simulate.token"}},
		{[]string{"token", "new"}, []string{"--name", "--locations", "--all"}},
	} {
		t.Run(strings.Join(tc.cmd, " "), func(t *testing.T) {
			code, out, _ := run(t, append(tc.cmd, "--help")...)
			if code != 0 {
				t.Fatalf("exit %d", code)
			}
			for _, f := range tc.want {
				if !listed(out, f) {
					t.Errorf("help lacks %s:\n%s", f, out)
				}
			}
			for _, f := range all {
				if listed(out, f) && !contains(tc.want, f) {
					t.Errorf("help lists %s, which the command does not read:\n%s", f, out)
				}
			}
			// The global flags every command shares.
			for _, f := range []string{"--config", "--log.level", "--log.format"} {
				if !listed(out, f) {
					t.Errorf("help lacks the global %s", f)
				}
			}
		})
	}
}

// listed reports whether help lists flag (followed by its type, or by [=true|false] for a boolean).
func listed(help, flag string) bool {
	return strings.Contains(help, flag+" ") || strings.Contains(help, flag+"[")
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestDefaultConfig: without --config or CXM_CONFIG, ./cxm.yaml is read when present, so `cxm token new`
// in the project directory knows the registry (as make run does); elsewhere it warns about the location.
func TestDefaultConfig(t *testing.T) {
	t.Setenv("CXM_CONFIG", "")
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, dir string
		warn      bool
	}{
		{"project directory", repo, false},
		{"elsewhere", t.TempDir(), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Chdir(tc.dir)
			code, out, errOut := run(t, "token", "new", "--name", "pos", "--locations", "store-001")
			if code != 0 || !strings.Contains(out, "hash:") {
				t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
			}
			if warned := strings.Contains(errOut, "not in the registry"); warned != tc.warn {
				t.Errorf("warned=%v, want %v: %s", warned, tc.warn, errOut)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(repo, defaultConfig)); err != nil {
		t.Fatalf("the project's %s: %v", defaultConfig, err)
	}
}

// TestImportReport: a file whose header is wrong gets that error alone (no progress line, no summary of
// zero rows); rejected rows get the summary and their errors once, exit 1, and no log line repeating them.
func TestImportReport(t *testing.T) {
	t.Setenv("CXM_CONFIG", "")
	t.Chdir("../..") // the project's cxm.yaml: its registry has store-001
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := write("bad.csv", "shop,receipt,time,amount,items\nstore-001,R1,2026-11-23T10:00:00Z,100.00,1\n")
	code, out, errOut := run(t, "import", "receipts", "--dry-run", bad)
	if code != 1 || out != "" || strings.Count(errOut, `unknown column "shop"`) != 1 || strings.Contains(errOut, "rows") {
		t.Errorf("bad header: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	at := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	mixed := write("mixed.csv", "location,receipt,time,amount,items\nstore-001,R1,"+at+",100.00,1\nstore-001,R2,"+at+",abc,1\n")
	code, out, errOut = run(t, "import", "receipts", "--dry-run", mixed)
	if code != 1 || !strings.Contains(out, "2 rows, 1 valid (dry run, nothing written), 0 duplicate ids in the file, 1 rejected") ||
		strings.Count(errOut, "amount") != 1 || strings.Contains(errOut, "level=ERROR") || strings.Contains(errOut, `"level":"ERROR"`) {
		t.Errorf("rejected row: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}
