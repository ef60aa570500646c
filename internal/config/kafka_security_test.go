package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKafkaSecurityNamesKey(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.pem")
	for _, tc := range []struct {
		name, yaml, key, reason string
	}{
		{"mechanism", "kafka:\n  sasl: {mechanism: GSSAPI, username: u, password: p}\n", "kafka.sasl.mechanism", `not "GSSAPI"`},
		{"credentials without mechanism", "kafka:\n  sasl: {username: u, password: p}\n", "kafka.sasl.mechanism", "when kafka.sasl.username"},
		{"no username", "kafka:\n  sasl: {mechanism: PLAIN, password: p}\n", "kafka.sasl.username", "must not be empty"},
		{"no password", "kafka:\n  sasl: {mechanism: scram-sha-512, username: u}\n", "kafka.sasl.password", "SCRAM-SHA-512"},
		{"ca file missing", "kafka:\n  tls: {enabled: true, ca_file: " + missing + "}\n", "kafka.tls.ca_file", "cannot be read"},
		{"ca file not PEM", "kafka:\n  tls: {enabled: true, ca_file: " + notPEM + "}\n", "kafka.tls.ca_file", "no PEM certificate"},
		{"cert without key", "kafka:\n  tls: {enabled: true, cert_file: " + notPEM + "}\n", "kafka.tls.key_file", "with kafka.tls.cert_file"},
		{"key without cert", "kafka:\n  tls: {enabled: true, key_file: " + notPEM + "}\n", "kafka.tls.cert_file", "with kafka.tls.key_file"},
		{"bad pair", "kafka:\n  tls: {enabled: true, cert_file: " + notPEM + ", key_file: " + notPEM + "}\n", "kafka.tls.cert_file", "not a usable certificate"},
		{"tls off but ca", "kafka:\n  tls: {ca_file: " + notPEM + "}\n", "kafka.tls.ca_file", "kafka.tls.enabled is false"},
		{"misspelt", "kafka:\n  sasl: {mechanizm: PLAIN}\n", "kafka.sasl.mechanizm", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(writeFile(t, tc.yaml), nil)
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("want config.Errors, got %v", err)
			}
			for _, e := range es {
				if e.Key == tc.key && strings.Contains(e.Reason, tc.reason) {
					return
				}
			}
			t.Errorf("error %q does not name %s with %q", err, tc.key, tc.reason)
		})
	}
}

func TestKafkaSecurityFromEnv(t *testing.T) {
	t.Setenv("CXM_KAFKA_SASL_MECHANISM", "SCRAM-SHA-256")
	t.Setenv("CXM_KAFKA_SASL_USERNAME", "cxm")
	t.Setenv("CXM_KAFKA_SASL_PASSWORD", "from-a-secret")
	t.Setenv("CXM_KAFKA_TLS_ENABLED", "true")
	t.Setenv("CXM_KAFKA_TLS_SERVER__NAME", "kafka.internal")
	t.Setenv("CXM_KAFKA_TLS_INSECURE__SKIP__VERIFY", "true")
	c, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := KafkaSASL{Mechanism: "SCRAM-SHA-256", Username: "cxm", Password: "from-a-secret"}
	if c.Kafka.SASL != want {
		t.Errorf("sasl %+v, want %+v", c.Kafka.SASL, want)
	}
	if !c.Kafka.TLS.Enabled || c.Kafka.TLS.ServerName != "kafka.internal" || !c.Kafka.TLS.InsecureSkipVerify {
		t.Errorf("tls %+v, want enabled with server name kafka.internal, verification off", c.Kafka.TLS)
	}
	tc, err := c.Kafka.TLS.Config()
	if err != nil || tc.ServerName != "kafka.internal" || tc.RootCAs != nil {
		t.Errorf("tls config %+v, %v: want server name kafka.internal and the system roots", tc, err)
	}
}
