package testutil

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kafka"
	"github.com/cxm-project/cxm/internal/kafka/embedded"
)

// brokerProcessEnv makes a test binary a broker process instead of running its tests (ServeBrokerProcess).
const brokerProcessEnv = "CXM_BROKER_PROCESS"

// ServeBrokerProcess is for a test package's TestMain. In the child KafkaProcess starts, it serves an
// in-memory kfake on a free loopback port, prints its address, and returns once stdin closes (the parent
// ended or closed it) with served true and the exit code; anywhere else it returns served false at once.
func ServeBrokerProcess() (code int, served bool) {
	if os.Getenv(brokerProcessEnv) != "1" {
		return 0, false
	}
	c, err := config.Load("", nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "default config:", err)
		return 1, true
	}
	br, err := embedded.Start(config.Broker{Listen: "127.0.0.1:0"}, c.Kafka.Partitions, slog.New(slog.DiscardHandler))
	if err != nil {
		fmt.Fprintln(os.Stderr, "start kfake:", err)
		return 1, true
	}
	fmt.Println(br.Addr())
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = br.Close()
	return 0, true
}

// BrokerProcess is a broker running in a child process (KafkaProcess).
type BrokerProcess struct {
	cmd *exec.Cmd
}

// KafkaProcess is Kafka with the broker in a child process: the test binary run again, whose TestMain
// calls ServeBrokerProcess. Throughput benchmarks need it: an in-process broker holds every message on the
// benchmark's heap, so each garbage collection of the code under test also scans the broker's log, and the
// broker's work shares the process's profile and CPU time. In production Kafka is a process of its own.
func KafkaProcess(t testing.TB) (config.Kafka, *BrokerProcess) {
	t.Helper()
	c, err := config.Load("", nil)
	if err != nil {
		t.Fatalf("default config: %v", err)
	}
	cfg := c.Kafka
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), brokerProcessEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the broker process: %v", err)
	}
	t.Cleanup(func() {
		_ = stdin.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("the broker process printed no address: %v", err)
	}
	cfg.Brokers = []string{strings.TrimSpace(line)}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := kafka.EnsureTopics(ctx, cfg); err != nil {
		t.Fatalf("create topics on the broker process: %v", err)
	}
	return cfg, &BrokerProcess{cmd: cmd}
}

// CPU is the broker process's user+system CPU time so far.
func (b *BrokerProcess) CPU() (time.Duration, error) { return ProcessCPU(b.cmd.Process.Pid) }

// ProcessCPU is pid's user+system CPU time so far, from procfs.
func ProcessCPU(pid int) (time.Duration, error) {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	// Fields after the command name (which may hold spaces) start after the last ')'; utime and stime are
	// the 14th and 15th fields of the line, in clock ticks (USER_HZ, 100 per second on Linux).
	s := string(stat)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields after the command", pid, len(f))
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	k, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: utime %q, stime %q", pid, f[11], f[12])
	}
	return time.Duration(u+k) * 10 * time.Millisecond, nil
}

// SelfCPU is this process's user+system CPU time so far.
func SelfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
