// Package embedded runs CXM's default Kafka broker: franz-go's kfake, which speaks the real Kafka wire
// protocol, in the CXM process, with its log on disk.
//
// Durability. kfake writes every produced batch to its partition's segment file before it answers the
// produce request, and appends every committed offset to groups.log the same way. Those are write(2)
// calls, so once a producer has its acknowledgement the data is in the kernel's page cache and survives
// the broker process being killed (SIGKILL, OOM, panic): on the next start kfake replays the segment
// files, drops a torn last batch by its CRC, and rebuilds high watermarks and committed offsets. What a
// killed broker loses is only state kept for a clean shutdown: group membership (members rejoin) and
// idempotent-producer sequence windows (kafka-go does not use idempotence). A power loss or kernel crash
// can additionally lose what was still in the page cache, unless broker.sync_writes is on (the default),
// which fsyncs each batch before the acknowledgement.
package embedded

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/cxm-project/cxm/internal/config"
)

// Broker is a running single-node broker.
type Broker struct {
	c       *kfake.Cluster
	addr    string
	unlock  func()
	log     *slog.Logger
	closing sync.Once
}

// Start listens on cfg.Listen (port 0 picks a free one) and, when cfg.DataDir is set, loads and keeps its
// data there; an empty DataDir keeps everything in memory. partitions is the partition count of topics
// created with the broker's default (-1), like Kafka's num.partitions.
//
// The listen address is also the address the broker advertises in metadata, so it must be one clients
// can reach: a concrete address such as 127.0.0.1:9092, not 0.0.0.0.
func Start(cfg config.Broker, partitions int, log *slog.Logger) (*Broker, error) {
	if log == nil {
		log = slog.Default()
	}
	nodes := max(cfg.Nodes, 1)
	host, _, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("embedded kafka: broker.listen %q: %w", cfg.Listen, err)
	}
	listened := 0
	opts := []kfake.Opt{
		kfake.NumBrokers(nodes),
		kfake.ClusterID("cxm"),
		kfake.WithLogger(slogLogger{log}),
		// kfake asks for 127.0.0.1 and a random port; the configured address wins for the first node, the
		// others take free ports of the same host.
		kfake.ListenFn(func(network, _ string) (net.Listener, error) {
			addr := cfg.Listen
			if listened > 0 {
				addr = net.JoinHostPort(host, "0")
			}
			listened++
			return net.Listen(network, addr)
		}),
	}
	if partitions > 0 {
		opts = append(opts, kfake.DefaultNumPartitions(partitions))
	}
	unlock := func() {}
	if cfg.DataDir != "" {
		if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
			return nil, fmt.Errorf("embedded kafka: data dir: %w", err)
		}
		// Two brokers on one directory would interleave their writes and corrupt both logs.
		if unlock, err = lockDir(cfg.DataDir); err != nil {
			return nil, err
		}
		opts = append(opts, kfake.DataDir(cfg.DataDir))
		if cfg.SyncWrites {
			opts = append(opts, kfake.SyncWrites())
		}
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		unlock()
		return nil, fmt.Errorf("embedded kafka on %s: %w", cfg.Listen, err)
	}
	b := &Broker{c: c, addr: c.ListenAddrs()[0], unlock: unlock, log: log}
	return b, nil
}

// Addr is the host:port the broker listens on and advertises.
func (b *Broker) Addr() string { return b.addr }

// Addrs are the host:port of every node still running, the first node's first.
func (b *Broker) Addrs() []string { return b.c.ListenAddrs() }

// StopNode stops node id (0 is the first) as a crashed broker would vanish: its listener closes and the
// leadership of its partitions moves to the other nodes. The last node cannot be stopped.
func (b *Broker) StopNode(id int32) error { return b.c.RemoveNode(id) }

// ControlKey runs fn on every request of the given key before the broker handles it (kfake's control
// hooks, kept for every request): fn returns handled = false to let the broker answer, or true with a
// response, an error (the connection is closed) or neither (the request is dropped unanswered). Fault
// injection for tests: a member's heartbeats lost, a coordinator that stops answering.
func (b *Broker) ControlKey(key kmsg.Key, fn func(kmsg.Request) (res kmsg.Response, err error, handled bool)) {
	b.c.ControlKey(int16(key), func(r kmsg.Request) (kmsg.Response, error, bool) {
		b.c.KeepControl()
		return fn(r)
	})
}

// SleepControl, called from a ControlKey function, runs wakeup and lets the broker serve other
// connections until it returns: a request answered late without holding up every other one.
func (b *Broker) SleepControl(wakeup func()) { b.c.SleepControl(wakeup) }

// Close stops accepting connections, answers offset commits already received, writes the clean-shutdown
// state and releases the data directory. It is safe to call more than once.
func (b *Broker) Close() error {
	b.closing.Do(func() {
		b.c.Close()
		b.unlock()
	})
	return nil
}

// slogLogger routes kfake's log into slog. kfake logs every request at info, which is debug detail for
// CXM.
type slogLogger struct{ log *slog.Logger }

func (l slogLogger) Logf(level kfake.LogLevel, msg string, args ...any) {
	var sl slog.Level
	switch level {
	case kfake.LogLevelNone:
		return
	case kfake.LogLevelError:
		sl = slog.LevelError
	case kfake.LogLevelWarn:
		sl = slog.LevelWarn
	default:
		sl = slog.LevelDebug
	}
	ctx := context.Background()
	if !l.log.Enabled(ctx, sl) {
		return
	}
	l.log.Log(ctx, sl, "kfake: "+fmt.Sprintf(msg, args...))
}
