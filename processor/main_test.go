package processor_test

import (
	"os"
	"testing"

	"github.com/cxm-project/cxm/internal/testutil"
)

// TestMain lets the test binary serve as the broker process of the throughput benchmarks
// (testutil.KafkaProcess).
func TestMain(m *testing.M) {
	if code, served := testutil.ServeBrokerProcess(); served {
		os.Exit(code)
	}
	os.Exit(m.Run())
}
