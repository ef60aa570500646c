// Package imports_test holds the import rules of the read side: the code that reads stored data (the
// query engine, the API, the KPI registry, the maturity model, the Grafana plugin) must not depend on
// the ingest or the processor, so that each side builds, ships and changes on its own; and the plugin,
// which runs inside Grafana, must not carry any ingest package.
package imports_test

import (
	"bufio"
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/cxm-project/cxm/"

// readSide are the packages (and everything under them) of the read side.
var readSide = []string{"internal/query", "internal/api", "internal/kpi", "internal/maturity", "internal/console", "plugin"}

// forbidden are what the read side must not depend on, directly or through another package.
var forbidden = []string{"ingest", "processor"}

func under(pkg, dir string) bool {
	p := strings.TrimPrefix(pkg, module)
	return p == dir || strings.HasPrefix(p, dir+"/")
}

// violations lists "pkg -> dep" for every read-side package that depends on a forbidden one; deps maps a
// package to all its dependencies (transitive, as go list -deps gives them).
func violations(deps map[string][]string) []string {
	var out []string
	for pkg, ds := range deps {
		if !slices.ContainsFunc(readSide, func(d string) bool { return under(pkg, d) }) {
			continue
		}
		for _, d := range ds {
			if slices.ContainsFunc(forbidden, func(f string) bool { return under(d, f) }) {
				out = append(out, strings.TrimPrefix(pkg, module)+" -> "+strings.TrimPrefix(d, module))
			}
		}
	}
	slices.Sort(out)
	return out
}

func TestViolationsFindsIndirectImports(t *testing.T) {
	deps := map[string][]string{
		module + "plugin/pkg/plugin":  {module + "internal/query", module + "internal/event", module + "ingest/maturity"},
		module + "internal/query":     {module + "internal/kpi", module + "processor/buckets"},
		module + "internal/kpi":       {module + "internal/event"},
		module + "ingest/maturity":    {module + "internal/maturity"},
		module + "processor/status":   {module + "internal/query"},
		module + "internal/queryplus": {module + "ingest"}, // not under internal/query
	}
	want := []string{"internal/query -> processor/buckets", "plugin/pkg/plugin -> ingest/maturity"}
	if got := violations(deps); !slices.Equal(got, want) {
		t.Errorf("violations = %v, want %v", got, want)
	}
}

func TestReadSideImportsNoIngestNorProcessor(t *testing.T) {
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, "../../...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	deps := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		deps[f[0]] = f[1:]
	}
	if len(deps[module+"plugin/pkg/plugin"]) == 0 || len(deps[module+"internal/query"]) == 0 {
		t.Fatalf("go list did not list the read side: %d packages", len(deps))
	}
	for _, v := range violations(deps) {
		t.Errorf("read side imports %s", v)
	}
}
