package main

import (
	"context"
	"time"

	"github.com/spf13/pflag"

	"github.com/cxm-project/cxm/internal/kafka"
	"github.com/cxm-project/cxm/internal/kafka/embedded"
)

func kafkaCommand() command {
	return command{
		use:   "kafka",
		short: "run the embedded Kafka-protocol broker (kfake) with its data on disk, until SIGINT/SIGTERM",
		flags: func(fs *pflag.FlagSet) {
			fs.String("broker.listen", "", "address to listen on and advertise (default 127.0.0.1:9092)")
			fs.String("broker.data_dir", "", "directory the broker keeps its data in (default run/kafka)")
			fs.Bool("broker.sync_writes", false, "fsync every batch before acknowledging it")
		},
		run: runKafka,
	}
}

func runKafka(ctx context.Context, e *env) error {
	cfg := e.cfg
	b, err := embedded.Start(cfg.Broker, cfg.Kafka.Partitions, e.log)
	if err != nil {
		return err
	}
	defer func() {
		// Close writes the clean-shutdown state; a kill skips it and loses nothing acknowledged.
		_ = b.Close()
		e.log.Info("kafka broker stopped", "data_dir", cfg.Broker.DataDir)
	}()
	e.log.Info("kafka broker listening", "addr", b.Addr(), "data_dir", cfg.Broker.DataDir,
		"sync_writes", cfg.Broker.SyncWrites)

	// The topics are created through the broker's own protocol port, as any client would.
	kc := toEmbedded(cfg.Kafka, b.Addrs(), e.log)
	tctx, cancel := context.WithTimeout(ctx, time.Minute)
	err = kafka.EnsureTopics(tctx, kc)
	cancel()
	if err != nil {
		return err
	}
	e.log.Info("kafka topics ready", "events", kc.Topics.Events, "deadletter", kc.Topics.DeadLetter,
		"partitions", kc.Partitions)
	<-ctx.Done()
	return nil
}
