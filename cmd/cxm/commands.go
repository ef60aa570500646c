package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/logging"
	"github.com/spf13/pflag"
)

// command is one subcommand. Each registers itself from its own file's init.
type command struct {
	name    string
	summary string
	// flags adds the command's own flags; config-key flags (--http.listen …) are added for every command.
	flags func(fs *pflag.FlagSet)
	run   func(ctx context.Context, e *env) error
}

// env is what a command gets: its parsed flags, the loaded config, a logger and the output streams.
type env struct {
	flags  *pflag.FlagSet
	cfg    *config.Config
	log    *slog.Logger
	stdout io.Writer
	stderr io.Writer
}

var commands = map[string]command{}

func register(c command) { commands[c.name] = c }

// errUsage makes Main exit with 2 instead of 1.
var errUsage = errors.New("usage")

// Main runs one command and returns the process exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		return 2
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "cxm: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	fs := pflag.NewFlagSet("cxm "+c.name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.String("config", config.FileFromEnv(), "YAML config file (also CXM_CONFIG)")
	fs.String("log.level", "", "log level: debug, info, warn, error")
	fs.String("log.format", "", "log format: json or text")
	fs.String("http.listen", "", "HTTP listen address")
	fs.StringSlice("kafka.brokers", nil, "Kafka bootstrap brokers")
	fs.StringSlice("clickhouse.addr", nil, "ClickHouse native host:port")
	fs.String("clickhouse.database", "", "ClickHouse database")
	if c.flags != nil {
		c.flags(fs)
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		return 2
	}
	path, _ := fs.GetString("config")
	cfg, err := config.Load(path, fs)
	if err != nil {
		fmt.Fprintf(stderr, "cxm %s: %v\n", c.name, err)
		return 1
	}
	log := logging.New(stderr, cfg.Log)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &env{flags: fs, cfg: cfg, log: log.With("cmd", c.name), stdout: stdout, stderr: stderr}
	if err := c.run(ctx, e); err != nil {
		if errors.Is(err, errUsage) {
			return 2
		}
		e.log.Error("failed", "err", err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: cxm <command> [flags]   (cxm <command> --help for its flags)")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
}
