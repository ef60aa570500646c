package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/logging"
	"github.com/cxm-project/cxm/internal/version"
)

// command is one subcommand; each is built by a function in a file of its own.
type command struct {
	use     string // the name and its positional arguments, as help shows them: "import receipts|counters FILE.csv"
	short   string
	long    string
	example string
	args    cobra.PositionalArgs
	// validArgs completes the first positional argument in the shell.
	validArgs []string
	// uses are the config sections the command reads, and so the config-key flags (--http.listen …) it offers.
	uses []section
	// flags adds the command's own flags.
	flags func(fs *pflag.FlagSet)
	run   func(ctx context.Context, e *env) error
	// subs are subcommands (cxm token new); a command with subs has no run of its own.
	subs []command
}

// section is a config section whose most used keys are flags of the commands that read it.
type section int

const (
	httpSection section = iota
	kafkaSection
	clickhouseSection
)

func (s section) addFlags(fs *pflag.FlagSet) {
	switch s {
	case httpSection:
		fs.String("http.listen", "", "HTTP listen address (config http.listen)")
	case kafkaSection:
		fs.StringSlice("kafka.brokers", nil, "Kafka bootstrap brokers (config kafka.brokers)")
	case clickhouseSection:
		fs.StringSlice("clickhouse.addr", nil, "ClickHouse native host:port (config clickhouse.addr)")
		fs.String("clickhouse.database", "", "ClickHouse database (config clickhouse.database)")
	}
}

// env is what a command gets: its parsed flags, the loaded config, a logger, the output streams and the
// process's metrics registry (served at /metrics by the commands that listen).
type env struct {
	flags  *pflag.FlagSet
	cfg    *config.Config
	log    *slog.Logger
	stdout io.Writer
	stderr io.Writer
	reg    *prometheus.Registry
}

// commands lists every command, in the order help shows them.
func commands() []command {
	return []command{
		runCommand(), ingestCommand(), processCommand(), apiCommand(), kafkaCommand(), migrateCommand(),
		importCommand(), simulateCommand(), tokenCommand(), privacyCommand(), casesCommand(), reindexCommand(),
	}
}

// errUsage makes Main exit with 2; the command has printed what is wrong.
var errUsage = errors.New("usage")

// exitError carries an exit code other than 1 from a command that printed its own report.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// defaultConfig is read when neither --config nor CXM_CONFIG names a file, as `make run` does.
const defaultConfig = "cxm.yaml"

// Main runs one command and returns the process exit code: 0 on success (help and version included), 2 for
// a usage error, 1 for a failure.
func Main(args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c, err := root.ExecuteContextC(ctx)
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.As(err, &ee):
		return ee.code
	case isUsageError(err) || strings.HasPrefix(err.Error(), "unknown command"):
		fmt.Fprintf(stderr, "cxm: %v\nRun '%s --help' for usage.\n", err, c.CommandPath())
		return 2
	default:
		return 1 // the command logged it
	}
}

// usageError marks errors of the command line (not of the run), which cobra returns before running.
type usageError struct{ error }

func (u usageError) Unwrap() error { return u.error }

func isUsageError(err error) bool {
	var u usageError
	return errors.As(err, &u)
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "cxm",
		Short: "CXM: customer-experience KPIs from devices, surveys and receipts, through Kafka and ClickHouse",
		Long: `CXM turns button presses, surveys, receipts and door counts into KPIs (NPS, CSAT, Smile-Index,
conversion, …) with traffic-light statuses, served by an API, Prometheus metrics and a Grafana plugin.

Every setting is in the YAML config (--config, CXM_CONFIG, or ./cxm.yaml when present), can be set
from the environment (CXM_KAFKA_BROKERS=…) and, for the settings a command lists, by flag.`,
		Version:       version.Get().String(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	pf := root.PersistentFlags()
	pf.String("config", "", "YAML config file (default $CXM_CONFIG, else ./cxm.yaml when present)")
	pf.String("log.level", "", "log level: debug, info, warn, error (config log.level)")
	pf.String("log.format", "", "log format: json or text (config log.format)")
	for _, c := range commands() {
		root.AddCommand(build(c, stdout, stderr))
	}
	root.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "print the version, the VCS revision and the Go version of this build",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), version.Get().String())
			return nil
		},
	})
	return root
}

// build makes the cobra command of c.
func build(c command, stdout, stderr io.Writer) *cobra.Command {
	cc := &cobra.Command{
		Use:       c.use,
		Short:     c.short,
		Long:      c.long,
		Example:   c.example,
		Args:      wrapArgs(c.args),
		ValidArgs: c.validArgs,
	}
	for _, s := range c.uses {
		s.addFlags(cc.Flags())
	}
	if c.flags != nil {
		c.flags(cc.Flags())
	}
	for _, sub := range c.subs {
		cc.AddCommand(build(sub, stdout, stderr))
	}
	if c.run == nil {
		// A group (cxm token): its help, or an error naming what is not one of its subcommands.
		cc.Args = cobra.ArbitraryArgs
		cc.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath())}
			}
			return cmd.Help()
		}
		return cc
	}
	run := c.run
	cc.RunE = func(cmd *cobra.Command, _ []string) error {
		fs := cmd.Flags()
		path, _ := fs.GetString("config")
		if path == "" {
			path = config.FileFromEnv()
		}
		if path == "" {
			if _, err := os.Stat(defaultConfig); err == nil {
				path = defaultConfig
			}
		}
		cfg, err := config.Load(path, fs)
		if err != nil {
			fmt.Fprintf(stderr, "cxm %s: %v\n", cmd.Name(), err)
			return exitError{1}
		}
		log := logging.New(stderr, cfg.Log).With("cmd", cmd.Name())
		if path != "" {
			log.Debug("config read", "file", path)
		}
		e := &env{flags: fs, cfg: cfg, log: log, stdout: stdout, stderr: stderr, reg: version.Registry()}
		if err := run(cmd.Context(), e); err != nil {
			var ee exitError
			if !errors.Is(err, errUsage) && !errors.As(err, &ee) {
				log.Error("failed", "err", err)
			}
			return err
		}
		return nil
	}
	return cc
}

// wrapArgs marks cobra's argument errors as usage errors (exit 2).
func wrapArgs(a cobra.PositionalArgs) cobra.PositionalArgs {
	if a == nil {
		a = cobra.NoArgs
	}
	return func(cmd *cobra.Command, args []string) error {
		if err := a(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}
