package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"

	"github.com/cxm-project/cxm/ingest"
	"github.com/cxm-project/cxm/internal/api"
	"github.com/cxm-project/cxm/internal/auth"
	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/httpserver"
	"github.com/cxm-project/cxm/internal/kafka"
	"github.com/cxm-project/cxm/internal/kafka/embedded"
	"github.com/cxm-project/cxm/processor"
	"github.com/cxm-project/cxm/schemas"
	"github.com/spf13/pflag"
)

func runCommand() command {
	return command{
		use:   "run",
		short: "run the whole pipeline in one process: broker, migrations, ingest, processor, API, simulator",
		uses:  []section{httpSection, kafkaSection, clickhouseSection},
		flags: func(fs *pflag.FlagSet) {
			fs.Bool("embedded-broker", true, "start the embedded Kafka-protocol broker (false: use kafka.brokers)")
			fs.Bool("simulate", true, "simulate the registry's stores")
		},
		run: runAll,
	}
}

// runAll starts the parts against the direction data flows (storage first), so nothing produces into a
// component that is not there yet, and stops them along it: the simulator and the HTTP listener first, then
// the ingest's producers, then the processor (which flushes and commits), then the broker.
func runAll(ctx context.Context, e *env) error {
	cfg, log := e.cfg, e.log
	useBroker, _ := e.flags.GetBool("embedded-broker")
	useSim, _ := e.flags.GetBool("simulate")

	// The development token writes and reads every location; the config refuses it off loopback.
	cfg.Ingest.DevToken = true
	if err := cfg.Validate(); err != nil {
		return err
	}
	// Added after validation, which refuses the development token's hash in any configured token list.
	cfg.API.Tokens = append(cfg.API.Tokens, config.APIToken{Name: auth.DevTokenName, Hash: auth.Hash(auth.DevToken), All: true})

	if useBroker {
		b, err := embedded.Start(cfg.Broker, cfg.Kafka.Partitions, log.With("part", "broker"))
		if err != nil {
			return fmt.Errorf("embedded broker: %w", err)
		}
		defer b.Close()
		cfg.Kafka = toEmbedded(cfg.Kafka, b.Addrs(), log)
	}
	if err := kafka.EnsureTopics(ctx, cfg.Kafka); err != nil {
		return fmt.Errorf("kafka topics: %w", err)
	}

	conn, err := clickhouse.Open(ctx, cfg.ClickHouse)
	if err != nil {
		return fmt.Errorf("%w (start it with: make clickhouse)", err)
	}
	defer conn.Close()
	if _, err := clickhouse.Migrate(ctx, conn, cfg.ClickHouse.Database, schemas.ClickHouseMigrations(), log.With("part", "migrate")); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}

	srv := httpserver.New(log.With("part", "http"), e.reg)
	srv.Configure(cfg.HTTP)
	ing, err := ingest.New(ctx, cfg, log.With("part", "ingest"), e.reg)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	ing.Mount(srv)
	store, stopEvidence, err := openEvidence(ctx, cfg, log.With("part", "evidence"))
	if err != nil {
		return err
	}
	defer stopEvidence()
	api.New(cfg, conn, log.With("part", "api"), e.reg).WithEvidence(store).Mount(srv)
	if err := mountConsole(cfg, srv); err != nil {
		return err
	}
	proc, err := processor.New(cfg, log.With("part", "processor"), e.reg)
	if err != nil {
		return fmt.Errorf("processor: %w", err)
	}
	proc.Mount(srv)
	defer startEvaluator(ctx, cfg, conn, proc, log.With("part", "status"), e.reg)()
	defer startPrivacySweeper(ctx, cfg, conn, log.With("part", "privacy"))()
	if cfg.Cases.Enabled {
		casesCtx, stopCases := context.WithCancel(ctx)
		waitCases := startCases(casesCtx, cfg, conn, log.With("part", "cases"), e.reg)
		defer func() { stopCases(); _ = waitCases() }()
	}

	ln, err := net.Listen("tcp", cfg.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("http.listen %s: %w", cfg.HTTP.Listen, err)
	}

	// The processor outlives the HTTP side, so every event the ingest acknowledged is flushed before exit.
	procCtx, stopProc := context.WithCancel(context.WithoutCancel(ctx))
	defer stopProc()
	errs := make(chan error, 3)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := proc.Run(procCtx); err != nil && !errors.Is(err, context.Canceled) {
			errs <- fmt.Errorf("processor: %w", err)
		}
	}()
	go func() {
		if err := srv.ServeListener(ctx, ln, cfg.HTTP.ShutdownTimeout); err != nil {
			errs <- fmt.Errorf("http: %w", err)
		}
	}()

	base := "http://" + ln.Addr().String()
	if useSim {
		sim := *cfg
		sim.Simulate.Target, sim.Simulate.Token = base, auth.DevToken
		go func() {
			if err := runSimulate(ctx, &sim, e); err != nil && !errors.Is(err, context.Canceled) {
				errs <- err
			}
		}()
	}
	printSummary(e, base, useBroker)

	var firstErr error
	select {
	case <-ctx.Done():
	case firstErr = <-errs:
	}
	log.Info("stopping: ingest first, then the processor flushes and commits")
	if err := ing.Close(); err != nil {
		log.Warn("ingest close", "err", err)
	}
	stopProc()
	wg.Wait()
	return firstErr
}

func printSummary(e *env, base string, broker bool) {
	c := e.cfg
	loc := "store-001"
	if len(c.Locations) > 0 {
		loc = c.Locations[0].ID
	}
	w := e.stdout
	fmt.Fprintf(w, "\nCXM is running; Ctrl-C stops it all. Development token (write and read): %s\n\n", auth.DevToken)
	if c.Console.Enabled {
		fmt.Fprintf(w, "  console     %s/console/#token=%s  (sign-in link for the development token)\n", base, auth.DevToken)
	}
	fmt.Fprintf(w, "  ingest      POST %s/v1/events  -H 'Authorization: Bearer %s'\n", base, auth.DevToken)
	fmt.Fprintf(w, "  API         %s/v1/status  %s/v1/kpis?kpi=nps,conversion&from=…&to=…  %s/v1/locations\n", base, base, base)
	fmt.Fprintf(w, "  surveys     %s/s/%s/default  (QR: …/qr.png)   assessment %s/assessment\n", base, loc, base)
	fmt.Fprintf(w, "  operations  %s/healthz  %s/readyz  %s/metrics\n", base, base, base)
	if broker {
		fmt.Fprintf(w, "  kafka       %s (embedded, data in %s): kcat -b %s -t %s -C -o end  (apt-get install kcat)\n", c.Kafka.Brokers[0], c.Broker.DataDir, c.Kafka.Brokers[0], c.Kafka.Topics.Events)
	} else {
		fmt.Fprintf(w, "  kafka       %v\n", c.Kafka.Brokers)
	}
	fmt.Fprintf(w, "  clickhouse  %s, database %s: bash deploy/local/clickhouse.sh client --query 'SELECT type, count() FROM %s.events GROUP BY type'\n\n",
		c.ClickHouse.Addr[0], c.ClickHouse.Database, c.ClickHouse.Database)
}
