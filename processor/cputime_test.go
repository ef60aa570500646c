package processor_test

import (
	"os"
	"os/exec"
	"runtime/metrics"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuClock is the CPU time (user + system) spent so far by this process, the broker process and every
// ClickHouse server on this machine: what a side-by-side case costs the whole machine, whichever process
// pays it. Wall-clock rates on a shared 2-core machine swing by a third between runs; CPU per event is
// the steadier figure of what each side costs. ok is false when the servers' processes cannot be read
// (another machine, or no procfs).
func cpuClock(broker int) (self, others time.Duration, ok bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0, false
	}
	self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	out, err := exec.Command("pgrep", "-x", "clickhouse-serv").Output()
	if err != nil {
		return self, 0, false
	}
	pids := append(strings.Fields(string(out)), strconv.Itoa(broker))
	for _, pid := range pids {
		t, err := procCPU(pid)
		if err != nil {
			return self, 0, false
		}
		others += t
	}
	return self, others, true
}

// procCPU reads utime + stime of pid from /proc (in clock ticks of 1/100 s, USER_HZ on Linux).
func procCPU(pid string) (time.Duration, error) {
	bs, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, err
	}
	s := string(bs)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return 0, strconv.ErrSyntax
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	k, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, strconv.ErrSyntax
	}
	return time.Duration(u+k) * 10 * time.Millisecond, nil
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
