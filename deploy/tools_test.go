// Package deploy holds no code: its tests check the deployment files next to them (Prometheus rules and
// config, Alertmanager config, docker-compose, the Helm chart, the ClickHouse cluster schema) with the real
// tools, and run the alerting path end to end.
package deploy

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tool finds the first of names on PATH. A missing tool fails the test under CXM_REQUIRE_SERVICES=1 (make
// test, CI: the tools are installed there, so absence is a broken setup) and skips it otherwise, so a
// developer without them can still run the rest.
func tool(t *testing.T, pkg string, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	msg := strings.Join(names, " / ") + " not found on PATH; install it with: apt-get install -y " + pkg
	if os.Getenv("CXM_REQUIRE_SERVICES") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// run runs a command in dir and fails the test with its output when it exits non-zero.
func run(t *testing.T, dir string, name string, args ...string) string {
	t.Helper()
	out, err := runErr(dir, name, args...)
	if err != nil {
		t.Fatalf("%s %s (in %s): %v\n%s", filepath.Base(name), strings.Join(args, " "), dir, err, out)
	}
	return out
}

// runErr runs a command with a bound on its time (these tools answer in well under a second; a hang is a
// bug) and returns its combined output.
func runErr(dir string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Start(); err != nil {
		return "", err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return buf.String(), err
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		<-done
		return buf.String(), os.ErrDeadlineExceeded
	}
}
