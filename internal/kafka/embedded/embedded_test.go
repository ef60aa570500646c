package embedded_test

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kafka"
	"github.com/cxm-project/cxm/internal/kafka/embedded"
	"github.com/cxm-project/cxm/internal/testutil"
)

const helperEnv = "CXM_TEST_BROKER_HELPER"

// TestHelperBroker is not a test: it is the broker process of TestKillKeepsData when the cxm binary does
// not build, started as this test binary with -test.run=TestHelperBroker.
func TestHelperBroker(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		t.Skip("helper process for TestKillKeepsData")
	}
	b, err := embedded.Start(config.Broker{Listen: os.Getenv("CXM_BROKER_LISTEN"), DataDir: os.Getenv("CXM_BROKER_DATA__DIR")}, 4, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("listening", b.Addr())
	select {} // until killed
}

// brokerCommand is the command of a broker process: `cxm kafka` when cmd/cxm builds, else this test binary
// as TestHelperBroker (cmd/cxm is shared with other commands, which may be mid-edit).
func brokerCommand(t *testing.T, listen, dir string) *exec.Cmd {
	t.Helper()
	bin, err := buildCXM(t)
	if err == nil {
		cmd := exec.Command(bin, "kafka", "--broker.listen", listen, "--broker.data_dir", dir)
		cmd.Env = append(os.Environ(), "CXM_KAFKA_PARTITIONS=4")
		return cmd
	}
	t.Logf("cmd/cxm does not build (%v); running the broker as a test helper process", err)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperBroker$")
	cmd.Env = append(os.Environ(), helperEnv+"=1", "CXM_BROKER_LISTEN="+listen, "CXM_BROKER_DATA__DIR="+dir)
	return cmd
}

// buildCXM builds the cxm binary once per test (the build cache makes the second time cheap).
var built = map[*testing.T]string{}

func buildCXM(t *testing.T) (string, error) {
	if bin, ok := built[t]; ok {
		return bin, nil
	}
	if os.Getenv("CXM_TEST_NO_BUILD") == "1" {
		return "", fmt.Errorf("CXM_TEST_NO_BUILD=1")
	}
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(t.TempDir(), "cxm")
	build := exec.Command("go", "build", "-o", bin, "./cmd/cxm")
	build.Dir = filepath.Dir(strings.TrimSpace(string(out)))
	if msg, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%v: %s", err, msg)
	}
	built[t] = bin
	return bin, nil
}

// startProcess starts a broker process and waits until it answers with both topics.
func startProcess(t *testing.T, cfg config.Kafka, dir string) *exec.Cmd {
	t.Helper()
	cmd := brokerCommand(t, cfg.Brokers[0], dir)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var logMu sync.Mutex
	var logs strings.Builder
	go func() {
		s := bufio.NewScanner(stderr)
		for s.Scan() {
			logMu.Lock()
			logs.WriteString(s.Text() + "\n")
			logMu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := kafka.EnsureTopics(ctx, cfg)
		if err == nil {
			err = kafka.Ping(ctx, cfg)
		}
		cancel()
		if err == nil {
			return cmd
		}
		if time.Now().After(deadline) {
			logMu.Lock()
			defer logMu.Unlock()
			t.Fatalf("broker process not ready: %v\n%s", err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func kafkaConfig(t *testing.T, addr string) config.Kafka {
	t.Helper()
	c, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := c.Kafka
	cfg.Brokers = []string{addr}
	cfg.Partitions = 4
	return cfg
}

func messages(n int, prefix string) []kafkago.Message {
	msgs := make([]kafkago.Message, n)
	for i := range msgs {
		loc := fmt.Sprintf("loc-%d", i%9)
		msgs[i] = kafkago.Message{Key: []byte(loc), Value: fmt.Appendf(nil, `{"id":"%s-%d","location":"%s"}`, prefix, i, loc)}
	}
	return msgs
}

func produce(t *testing.T, cfg config.Kafka, msgs []kafkago.Message) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p := kafka.NewProducer(cfg, cfg.Topics.Events, nil, nil)
	defer p.Close()
	for i := 0; i < len(msgs); i += 500 {
		if err := p.Produce(ctx, msgs[i:min(i+500, len(msgs))]...); err != nil {
			t.Fatalf("produce: %v", err)
		}
	}
}

// consume reads n messages as group and closes the reader, which commits them. It returns the values
// per key in read order.
func consume(t *testing.T, cfg config.Kafka, group string, n int, into map[string][]string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r, err := kafka.NewReader(cfg, group, cfg.Topics.Events)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			t.Fatalf("%s: message %d of %d: %v", group, i, n, err)
		}
		into[string(m.Key)] = append(into[string(m.Key)], string(m.Value))
		if err := r.CommitMessages(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
}

// nothingMore checks the group has no message left to read.
func nothingMore(t *testing.T, cfg config.Kafka, group string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	r, err := kafka.NewReader(cfg, group, cfg.Topics.Events)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if m, err := r.FetchMessage(ctx); err == nil {
		t.Errorf("%s read %s beyond what was sent", group, m.Value)
	}
}

func same(t *testing.T, what string, got map[string][]string, sent []kafkago.Message) {
	t.Helper()
	want := map[string][]string{}
	for _, m := range sent {
		want[string(m.Key)] = append(want[string(m.Key)], string(m.Value))
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d keys, want %d", what, len(got), len(want))
	}
	for k, w := range want {
		if strings.Join(got[k], "\n") != strings.Join(w, "\n") {
			t.Errorf("%s: key %s: read %d messages differing from the %d sent (lost, duplicated or reordered)", what, k, len(got[k]), len(w))
		}
	}
}

// The done-criterion: a broker killed with SIGKILL after acknowledging with acks=all restarts on
// its data dir with every message and every committed offset.
func TestKillKeepsData(t *testing.T) {
	dir := t.TempDir()
	cfg := kafkaConfig(t, testutil.FreeAddr(t))
	cmd := startProcess(t, cfg, dir)

	sent := messages(3000, "before")
	produce(t, cfg, sent)
	half := map[string][]string{}
	consume(t, cfg, "half", 1000, half) // commits 1000

	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	startProcess(t, cfg, dir)

	all := map[string][]string{}
	consume(t, cfg, "fresh", len(sent), all)
	same(t, "new group after kill", all, sent)
	nothingMore(t, cfg, "fresh")

	consume(t, cfg, "half", len(sent)-1000, half)
	same(t, "group resumed at its commit after kill", half, sent)
	nothingMore(t, cfg, "half")

	// The restarted log takes new writes after the old ones.
	more := messages(100, "after")
	produce(t, cfg, more)
	next := map[string][]string{}
	consume(t, cfg, "fresh", len(more), next)
	same(t, "written after restart", next, more)
}

// A clean Close and Start in the same process keeps topics, messages and commits.
func TestRestartKeepsData(t *testing.T) {
	dir := t.TempDir()
	bcfg := config.Broker{Listen: "127.0.0.1:0", DataDir: dir}
	b, err := embedded.Start(bcfg, 4, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	cfg := kafkaConfig(t, b.Addr())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := kafka.EnsureTopics(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	sent := messages(2000, "clean")
	produce(t, cfg, sent)
	got := map[string][]string{}
	consume(t, cfg, "g", 500, got)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}

	// Same port, so the group's coordinator address stays valid for the test's config.
	bcfg.Listen = b.Addr()
	b2, err := embedded.Start(bcfg, 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	if err := kafka.Ping(ctx, cfg); err != nil {
		t.Fatalf("topics gone after restart: %v", err)
	}
	consume(t, cfg, "g", len(sent)-500, got)
	same(t, "after clean restart", got, sent)
	nothingMore(t, cfg, "g")
}

// Two brokers never share a data dir; the second start names the problem.
func TestDataDirLocked(t *testing.T) {
	dir := t.TempDir()
	b, err := embedded.Start(config.Broker{Listen: "127.0.0.1:0", DataDir: dir}, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	_, err = embedded.Start(config.Broker{Listen: "127.0.0.1:0", DataDir: dir}, 1, nil)
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second broker on %s: %v, want an in-use error", dir, err)
	}
	b.Close()
	b3, err := embedded.Start(config.Broker{Listen: "127.0.0.1:0", DataDir: dir}, 1, nil)
	if err != nil {
		t.Fatalf("start after the first closed: %v", err)
	}
	b3.Close()
}
