package processor_test

import (
	"os/exec"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"

	"github.com/cxm-project/cxm/internal/testutil"
)

// cpuClock is the CPU time (user + system) spent so far by this process, the broker process and every
// ClickHouse server on this machine: what a side-by-side case costs the whole machine, whichever process
// pays it. Wall-clock rates on a shared 2-core machine swing by a third between runs; CPU per event is
// the steadier figure of what each side costs. ok is false when the servers' processes cannot be read
// (another machine, or no procfs).
func cpuClock(broker *testutil.BrokerProcess) (self, others time.Duration, ok bool) {
	self = testutil.SelfCPU()
	others, err := broker.CPU()
	if err != nil {
		return self, 0, false
	}
	out, err := exec.Command("pgrep", "-x", "clickhouse-serv").Output()
	if err != nil {
		return self, 0, false
	}
	for _, pid := range strings.Fields(string(out)) {
		n, err := strconv.Atoi(pid)
		if err != nil {
			return self, 0, false
		}
		t, err := testutil.ProcessCPU(n)
		if err != nil {
			return self, 0, false
		}
		others += t
	}
	return self, others, true
}

// gcCPU is the CPU time this process's garbage collector has spent so far (an estimate of the runtime's).
func gcCPU() time.Duration {
	s := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64 {
		return 0
	}
	return time.Duration(s[0].Value.Float64() * float64(time.Second))
}
