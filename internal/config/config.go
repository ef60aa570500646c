// Package config loads CXM's configuration with koanf: defaults, then a YAML file, then CXM_ environment
// variables, then flags (each layer overrides the one before), and validates it so a bad config fails at
// start with the key and the reason.
package config

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/providers/posflag"
	"github.com/knadh/koanf/v2"
	"github.com/spf13/pflag"

	"github.com/cxm-project/cxm/internal/survey"
)

// Config is the whole configuration. Each component's section lives in a file of its own.
type Config struct {
	Log        Log        `koanf:"log"`
	HTTP       HTTP       `koanf:"http"`
	Kafka      Kafka      `koanf:"kafka"`
	Broker     Broker     `koanf:"broker"`
	ClickHouse ClickHouse `koanf:"clickhouse"`
	Locations  []Location `koanf:"locations"`
	Ingest     Ingest     `koanf:"ingest"`
	Processor  Processor  `koanf:"processor"`
	KPI        KPI        `koanf:"kpi"`
	Simulate   Simulate   `koanf:"simulate"`
	API        API        `koanf:"api"`
	Privacy    Privacy    `koanf:"privacy"`
	Console    Console    `koanf:"console"`
	Cases      Cases      `koanf:"cases"`
	Reasons    Reasons    `koanf:"reasons"`
	Breakdown  Breakdown  `koanf:"breakdown"`
	ObjStore   ObjStore   `koanf:"objstore"`
	Audits     Audits     `koanf:"audits"`
	// Questionnaires: surveys:, indices:, survey_files: (surveys.go).
	Questionnaires `koanf:",squash"`
	catalog        *survey.Catalog
}

// Log configures log/slog.
type Log struct {
	Level  string `koanf:"level"`  // debug | info | warn | error
	Format string `koanf:"format"` // json | text
}

// HTTP is the one listener of `cxm run` (and of each service run alone).
type HTTP struct {
	Listen          string        `koanf:"listen"`
	ShutdownTimeout time.Duration `koanf:"shutdown_timeout"`
	// Timeouts of one connection (exports extend the write deadline to api.export_timeout).
	ReadHeaderTimeout time.Duration `koanf:"read_header_timeout"`
	ReadTimeout       time.Duration `koanf:"read_timeout"`
	WriteTimeout      time.Duration `koanf:"write_timeout"`
	IdleTimeout       time.Duration `koanf:"idle_timeout"`
	// MaxConcurrent caps the requests served at once (503 with Retry-After beyond it).
	MaxConcurrent  int `koanf:"max_concurrent"`
	MaxHeaderBytes int `koanf:"max_header_bytes"`
	// TLS serves the listener over HTTPS; HSTS is sent then, or always with HSTS behind a TLS proxy.
	TLS  HTTPTLS `koanf:"tls"`
	HSTS bool    `koanf:"hsts"`
	// InternalListen, when set, serves /metrics, /healthz and /readyz there and no longer on http.listen.
	InternalListen string `koanf:"internal_listen"`
	// TrustedProxies may set X-Forwarded-For: the client address is the last one not among them.
	TrustedProxies []string `koanf:"trusted_proxies"`
}

// FieldError is a configuration error that names the key.
type FieldError struct {
	Key    string
	Reason string
}

func (e *FieldError) Error() string { return fmt.Sprintf("config %s: %s", e.Key, e.Reason) }

// Errors collects every problem of a config, so one start shows them all.
type Errors []*FieldError

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}

func (es *Errors) add(key, format string, args ...any) {
	*es = append(*es, &FieldError{Key: key, Reason: fmt.Sprintf(format, args...)})
}

// EnvPrefix is the prefix of environment variables: CXM_KAFKA_BROKERS sets kafka.brokers. A double
// underscore stands for an underscore inside a key: CXM_HTTP_SHUTDOWN__TIMEOUT sets http.shutdown_timeout.
const EnvPrefix = "CXM_"

// Load reads the layers. path may be empty (no file); flags may be nil. Only flags the user set override.
func Load(path string, flags *pflag.FlagSet) (*Config, error) {
	k := koanf.New(".")
	if err := k.Load(defaultsProvider(), nil); err != nil {
		return nil, err
	}
	if path != "" {
		fk := koanf.New(".")
		if err := fk.Load(file.Provider(path), yaml.Parser()); err != nil {
			return nil, fmt.Errorf("config file %s: %w", path, err)
		}
		if err := checkKeys(fk, path); err != nil {
			return nil, err
		}
		if err := k.Merge(fk); err != nil {
			return nil, fmt.Errorf("config file %s: %w", path, err)
		}
	}
	if err := k.Load(env.Provider(".", env.Opt{Prefix: EnvPrefix, TransformFunc: envKey}), nil); err != nil {
		return nil, err
	}
	if flags != nil {
		if err := k.Load(posflag.ProviderWithFlag(flags, ".", k, flagValue(flags)), nil); err != nil {
			return nil, err
		}
	}
	var c Config
	if err := k.UnmarshalWithConf("", &c, koanf.UnmarshalConf{Tag: "koanf"}); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// checkKeys refuses keys of the file (loaded alone into fk) that no setting reads (a typo such as `yelow: 30` would otherwise
// leave the default in force without a word). Only the file is checked: the environment holds CXM_
// variables that are not settings (CXM_CONFIG), and flags are declared.
func checkKeys(fk *koanf.Koanf, path string) error {
	var (
		c  Config
		md mapstructure.Metadata
	)
	// Values are converted as Load does; conversion errors are Load's to report, only unused keys matter.
	_ = fk.UnmarshalWithConf("", &c, koanf.UnmarshalConf{Tag: "koanf", DecoderConfig: &mapstructure.DecoderConfig{
		DecodeHook:       mapstructure.StringToTimeDurationHookFunc(),
		WeaklyTypedInput: true,
		Metadata:         &md,
	}})
	if len(md.Unused) == 0 {
		return nil
	}
	slices.Sort(md.Unused)
	var es Errors
	for _, key := range md.Unused {
		es.add(key, "unknown setting in %s (misspelt? cxm.yaml lists every setting)", path)
	}
	return es
}

// envKey maps CXM_KAFKA_TOPICS_EVENTS to kafka.topics.events; lists are comma separated.
func envKey(k, v string) (string, any) {
	k = strings.ToLower(strings.TrimPrefix(k, EnvPrefix))
	k = strings.ReplaceAll(k, "__", "\x00")
	k = strings.ReplaceAll(k, "_", ".")
	k = strings.ReplaceAll(k, "\x00", "_")
	if strings.Contains(v, ",") {
		return k, strings.Split(v, ",")
	}
	return k, v
}

// flagValue lets only flags the user changed override the layers below, and only config-key flags: those
// are dotted (--http.listen); a command's own flags (--config, --simulate) never land in the config, so
// they cannot collide with a section's name.
func flagValue(fs *pflag.FlagSet) func(f *pflag.Flag) (string, any) {
	return func(f *pflag.Flag) (string, any) {
		if !f.Changed || !strings.Contains(f.Name, ".") {
			return "", nil
		}
		return f.Name, posflag.FlagVal(fs, f)
	}
}

// Validate checks every section and returns all problems at once.
func (c *Config) Validate() error {
	var es Errors
	c.validateBase(&es)
	c.validateLocations(&es)
	c.Kafka.validate(c, &es)
	c.Ingest.validate(c, &es)
	c.Processor.validate(c, &es)
	c.validateSurveys(&es) // before kpi: its indices are KPIs that kpi.thresholds may name
	c.KPI.validate(c, &es)
	c.API.validate(c, &es)
	c.HTTP.validate(&es)
	c.Ingest.SurveyGuard.validate(&c.Ingest, &es)
	c.Privacy.validate(&es)
	c.API.RateLimit.validate(&es)
	c.Console.validate(&es)
	c.Cases.validate(&es)
	c.validateReasons(&es)
	c.ObjStore.validate(&es)
	c.Audits.validate(c, &es)
	if len(es) > 0 {
		return es
	}
	return nil
}

func (c *Config) validateBase(es *Errors) {
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		es.add("log.level", "must be debug, info, warn or error, not %q", c.Log.Level)
	}
	switch c.Log.Format {
	case "json", "text":
	default:
		es.add("log.format", "must be json or text, not %q", c.Log.Format)
	}
	if c.HTTP.Listen == "" {
		es.add("http.listen", "must not be empty")
	}
	if len(c.Kafka.Brokers) == 0 {
		es.add("kafka.brokers", "must list at least one broker")
	}
	if c.Kafka.Topics.Events == "" {
		es.add("kafka.topics.events", "must not be empty")
	}
	if c.Kafka.Topics.DeadLetter == "" {
		es.add("kafka.topics.deadletter", "must not be empty")
	}
	if c.Kafka.Partitions < 1 {
		es.add("kafka.partitions", "must be at least 1")
	}
	if len(c.ClickHouse.Addr) == 0 {
		es.add("clickhouse.addr", "must list at least one host:port")
	}
	if c.ClickHouse.Database == "" {
		es.add("clickhouse.database", "must not be empty")
	}
	if c.ClickHouse.Cluster != "" && c.ClickHouse.InsertQuorum < 1 {
		es.add("clickhouse.insert_quorum", "must be at least 1 on a cluster, got %d", c.ClickHouse.InsertQuorum)
	}
}

// ErrNoConfig is returned when a config file is named but missing.
var ErrNoConfig = errors.New("config file not found")

// FileFromEnv returns CXM_CONFIG, or "" when unset, so a file can be named without a flag.
func FileFromEnv() string { return os.Getenv("CXM_CONFIG") }
