package testutil

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kafka"
	"github.com/cxm-project/cxm/internal/kafka/embedded"
)

// Kafka starts a broker of the test's own (kfake, in memory, on a random loopback port), creates the events
// and dead-letter topics and returns the default Kafka config pointed at it. The broker stops at cleanup.
// kfake speaks the real Kafka protocol, so the code under test runs exactly as against a cluster.
func Kafka(t testing.TB) config.Kafka {
	t.Helper()
	cfg, _ := KafkaBroker(t)
	return cfg
}

// KafkaBroker is Kafka, with the broker for fault injection (embedded.Broker.ControlKey).
func KafkaBroker(t testing.TB) (config.Kafka, *embedded.Broker) {
	t.Helper()
	c, err := config.Load("", nil)
	if err != nil {
		t.Fatalf("default config: %v", err)
	}
	cfg := c.Kafka
	b, err := embedded.Start(config.Broker{Listen: "127.0.0.1:0"}, cfg.Partitions, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("start kfake: %v", err)
	}
	t.Cleanup(func() { _ = b.Close() })
	cfg.Brokers = []string{b.Addr()}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := kafka.EnsureTopics(ctx, cfg); err != nil {
		t.Fatalf("create topics on kfake: %v", err)
	}
	return cfg, b
}

// brokerHelperEnv makes ServeBrokerHelper run: KafkaProcess sets it on the child it starts.
const brokerHelperEnv = "CXM_BROKER_HELPER"

// KafkaProcess is Kafka, with the broker in a child process: the test binary run again with
// -test.run=^helper$, where helper is a test of the caller's package that calls ServeBrokerHelper. A
// throughput benchmark needs it: an in-process broker holds every message on the benchmark's heap, so each
// garbage collection of the code under test also scans the broker's log, and the broker's work shares the
// process's profile. In production Kafka is a process of its own. It returns the child's pid too.
func KafkaProcess(t testing.TB, helper string) (config.Kafka, int) {
	t.Helper()
	c, err := config.Load("", nil)
	if err != nil {
		t.Fatalf("default config: %v", err)
	}
	cfg := c.Kafka
	cmd := exec.Command(os.Args[0], "-test.run=^"+helper+"$", "-test.v=false")
	cmd.Env = append(os.Environ(), brokerHelperEnv+"=1")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the broker process: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("the broker process printed no address: %v", err)
	}
	cfg.Brokers = []string{strings.TrimSpace(line)}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := kafka.EnsureTopics(ctx, cfg); err != nil {
		t.Fatalf("create topics on the broker process: %v", err)
	}
	return cfg, cmd.Process.Pid
}

// ServeBrokerHelper, in the child KafkaProcess starts, runs a broker on a random loopback port, prints its
// address and serves until SIGTERM; anywhere else it returns false at once.
func ServeBrokerHelper(t *testing.T) bool {
	if os.Getenv(brokerHelperEnv) != "1" {
		return false
	}
	c, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := embedded.Start(config.Broker{Listen: "127.0.0.1:0"}, c.Kafka.Partitions, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	fmt.Println(b.Addr())
	<-ctx.Done()
	return true
}
