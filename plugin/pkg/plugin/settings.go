package plugin

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
)

// Settings is a data source instance's configuration: jsonData plus the password from secureJsonData.
type Settings struct {
	// Address is host:port of ClickHouse's native protocol, comma separated for replicas.
	Address  string `json:"address"`
	Database string `json:"database"`
	Username string `json:"username"`
	TLS      bool   `json:"tls"`
	// ConfigPath is the cxm YAML on the Grafana host: the location registry and the KPI thresholds, read
	// with the pipeline's own loader so panels colour exactly as the processor's statuses do.
	ConfigPath string `json:"configPath"`
	// Locations and Regions (comma separated), when either is set, limit the data source to those
	// locations and the locations of those regions: every query, variable and editor list sees only them.
	Locations string `json:"locations"`
	Regions   string `json:"regions"`

	Password string `json:"-"`
}

// Connection timeouts: a panel should fail fast on a dead server rather than hang the dashboard.
const (
	dialTimeout  = 5 * time.Second
	readTimeout  = 60 * time.Second
	maxOpenConns = 8
)

// ParseSettings reads the instance settings; a missing database or user takes cxm's default.
func ParseSettings(s backend.DataSourceInstanceSettings) (Settings, error) {
	var st Settings
	if len(s.JSONData) > 0 {
		if err := json.Unmarshal(s.JSONData, &st); err != nil {
			return Settings{}, fmt.Errorf("jsonData: %w", err)
		}
	}
	st.Password = s.DecryptedSecureJSONData["password"]
	if st.Database == "" {
		st.Database = "cxm"
	}
	if st.Username == "" {
		st.Username = "default"
	}
	return st, st.validate()
}

func (s Settings) validate() error {
	if len(s.addrs()) == 0 {
		return fmt.Errorf("address: set the host:port of ClickHouse's native protocol, e.g. 127.0.0.1:9000")
	}
	for _, a := range s.addrs() {
		if !strings.Contains(a, ":") {
			return fmt.Errorf("address: %q must be host:port", a)
		}
	}
	if err := clickhouse.ValidateDatabase(s.Database); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	return nil
}

func (s Settings) addrs() []string { return splitList(s.Address) }

// splitList splits a comma-separated setting, dropping blanks.
func splitList(v string) []string {
	var out []string
	for _, a := range strings.Split(v, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// ClickHouse is the connection configuration internal/clickhouse.Open takes.
func (s Settings) ClickHouse() config.ClickHouse {
	return config.ClickHouse{
		Addr:         s.addrs(),
		Database:     s.Database,
		Username:     s.Username,
		Password:     s.Password,
		DialTimeout:  dialTimeout,
		ReadTimeout:  readTimeout,
		MaxOpenConns: maxOpenConns,
		TLS:          s.TLS,
	}
}

// LoadCXMConfig reads the cxm configuration the pipeline runs with (defaults, the file, CXM_ variables),
// so locations and thresholds have one source of truth. An empty path gives cxm's defaults.
func (s Settings) LoadCXMConfig() (*config.Config, error) {
	c, err := config.Load(s.ConfigPath, nil)
	if err != nil {
		return nil, fmt.Errorf("cxm config %q (configPath): %w", s.ConfigPath, err)
	}
	return c, nil
}
