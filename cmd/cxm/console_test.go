package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cxm-project/cxm/internal/config"
)

// make run prints the console's sign-in link for the development token (the browser test signs in through
// such a link), and none when the console is off.
func TestSummaryPrintsConsoleLink(t *testing.T) {
	for _, enabled := range []bool{true, false} {
		cfg, err := config.Load("", nil)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Console.Enabled = enabled
		var out bytes.Buffer
		printSummary(&env{cfg: cfg, stdout: &out}, "http://127.0.0.1:8080", true)
		has := strings.Contains(out.String(), "  console     http://127.0.0.1:8080/console/#token=cxm-dev-token")
		if has != enabled {
			t.Errorf("console enabled %v: link printed %v\n%s", enabled, has, out.String())
		}
	}
}
