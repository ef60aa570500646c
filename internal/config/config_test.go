package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "cxm.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// refusedOn loads yaml and reports whether it is refused with an error on key whose reason holds one of
// reasons, and the error.
func refusedOn(t *testing.T, yaml, key string, reasons ...string) (bool, error) {
	t.Helper()
	_, err := Load(writeFile(t, yaml), nil)
	var es Errors
	errors.As(err, &es)
	for _, e := range es {
		if e.Key != key {
			continue
		}
		for _, r := range reasons {
			if strings.Contains(e.Reason, r) {
				return true, err
			}
		}
	}
	return false, err
}

func TestDefaultsRun(t *testing.T) {
	c, err := Load("", nil)
	if err != nil {
		t.Fatalf("defaults must load: %v", err)
	}
	if c.HTTP.Listen != "127.0.0.1:8080" || c.Kafka.Brokers[0] != "127.0.0.1:9092" || c.ClickHouse.Addr[0] != "127.0.0.1:9000" {
		t.Errorf("defaults are not all on loopback: %+v %+v %+v", c.HTTP, c.Kafka.Brokers, c.ClickHouse.Addr)
	}
	if c.Kafka.Producer.BatchTimeout != 5*time.Millisecond {
		t.Errorf("batch_timeout default %v, want 5ms (kafka-go's 1 s would add a second per batch)", c.Kafka.Producer.BatchTimeout)
	}
}

// flag > env > file > defaults, key by key.
func TestPrecedence(t *testing.T) {
	path := writeFile(t, "http:\n  listen: 127.0.0.1:1111\nkafka:\n  partitions: 3\n  topics:\n    events: from-file\nclickhouse:\n  database: filedb\n")
	t.Setenv("CXM_KAFKA_PARTITIONS", "5")
	t.Setenv("CXM_CLICKHOUSE_DATABASE", "envdb")
	t.Setenv("CXM_KAFKA_BROKERS", "a:1,b:2")
	t.Setenv("CXM_HTTP_SHUTDOWN__TIMEOUT", "42s")
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	fs.String("clickhouse.database", "", "")
	fs.String("http.listen", "", "") // declared but not set: must not override
	fs.Bool("simulate", true, "")    // a command's own flag, named like a section: must stay out
	if err := fs.Parse([]string{"--clickhouse.database=flagdb", "--simulate=false"}); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path, fs)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, got, want string }{
		{"file over default", c.HTTP.Listen, "127.0.0.1:1111"},
		{"file only", c.Kafka.Topics.Events, "from-file"},
		{"default", c.Kafka.Topics.DeadLetter, "cxm.deadletter"},
		{"flag over env over file", c.ClickHouse.Database, "flagdb"},
		{"env list", strings.Join(c.Kafka.Brokers, ","), "a:1,b:2"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	if c.Kafka.Partitions != 5 {
		t.Errorf("env over file: partitions %d, want 5", c.Kafka.Partitions)
	}
	if c.HTTP.ShutdownTimeout != 42*time.Second {
		t.Errorf("double underscore: shutdown_timeout %v, want 42s", c.HTTP.ShutdownTimeout)
	}
}

func TestBadConfigNamesKey(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, key string
	}{
		{"log level", "log:\n  level: loud\n", "log.level"},
		{"no brokers", "kafka:\n  brokers: []\n", "kafka.brokers"},
		{"partitions", "kafka:\n  partitions: 0\n", "kafka.partitions"},
		{"misspelt key", "processor:\n  flush_intervall: 1s\n", "processor.flush_intervall"},
		{"misspelt threshold", "kpi:\n  thresholds:\n    nps: {yelow: 30, red: 0}\n", "kpi.thresholds[nps].yelow"},
		{"misspelt override", "kpi:\n  overrides:\n    - {region: r, kpi: nps, rde: 1}\n", "kpi.overrides[0].rde"},
		{"location id", "locations:\n  - id: 'bad id'\n", "locations[0].id"},
		{"duplicate id", "locations:\n  - id: a\n  - id: a\n", "locations[1].id"},
		{"latitude", "locations:\n  - id: a\n    latitude: 91\n", "locations[0].latitude"},
		{"time zone", "locations:\n  - id: a\n    timezone: Mars/Olympus\n", "locations[0].timezone"},
		{"hours", "locations:\n  - id: a\n    hours: {mon: '9-5'}\n", "locations[0].hours.mon"},
		{"weekday", "locations:\n  - id: a\n    hours: {someday: '09:00-17:00'}\n", "locations[0].hours.someday"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(writeFile(t, tc.yaml), nil)
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("want config.Errors, got %v", err)
			}
			found := false
			for _, e := range es {
				found = found || e.Key == tc.key
			}
			if !found {
				t.Errorf("error %q does not name %s", err, tc.key)
			}
		})
	}
}

func TestOpenAt(t *testing.T) {
	l := Location{ID: "a", TimeZone: "Europe/Moscow", Hours: map[string]string{"default": "09:00-21:00", "sun": "closed", "sat": "22:00-02:00"}}
	msk, _ := time.LoadLocation("Europe/Moscow")
	for _, tc := range []struct {
		at   time.Time
		open bool
	}{
		{time.Date(2026, 11, 23, 9, 0, 0, 0, msk), true},   // Monday, opening minute
		{time.Date(2026, 11, 23, 8, 59, 0, 0, msk), false}, // a minute before
		{time.Date(2026, 11, 23, 21, 0, 0, 0, msk), false}, // closing minute is closed
		{time.Date(2026, 11, 22, 12, 0, 0, 0, msk), false}, // Sunday closed
		{time.Date(2026, 11, 28, 23, 30, 0, 0, msk), true}, // Saturday night span past midnight
		{time.Date(2026, 11, 23, 6, 30, 0, 0, time.UTC), true},
	} {
		if got := l.OpenAt(tc.at); got != tc.open {
			t.Errorf("OpenAt(%v) = %v, want %v", tc.at, got, tc.open)
		}
	}
}

func TestExampleConfigLoads(t *testing.T) {
	c, err := Load("../../cxm.yaml", nil)
	if err != nil {
		t.Fatalf("cxm.yaml: %v", err)
	}
	if len(c.Locations) < 20 {
		t.Errorf("cxm.yaml registers %d locations, want the 20 simulated stores", len(c.Locations))
	}
}
