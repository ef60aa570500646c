package config

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"strings"
)

// KafkaTLS encrypts every connection to the brokers and, with a client certificate, authenticates to them.
type KafkaTLS struct {
	Enabled bool `koanf:"enabled"`
	// CAFile is a PEM bundle of the authorities that signed the brokers' certificates; empty trusts the
	// system's roots.
	CAFile string `koanf:"ca_file"`
	// CertFile and KeyFile are the client's PEM certificate and key, for brokers that require mutual TLS.
	CertFile string `koanf:"cert_file"`
	KeyFile  string `koanf:"key_file"`
	// InsecureSkipVerify accepts any broker certificate: for a test cluster only.
	InsecureSkipVerify bool `koanf:"insecure_skip_verify"`
	// ServerName is the name the brokers' certificates must carry when it is not the host dialled.
	ServerName string `koanf:"server_name"`
}

// KafkaSASL authenticates every connection to the brokers.
type KafkaSASL struct {
	Mechanism string `koanf:"mechanism"` // none | PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512
	Username  string `koanf:"username"`
	Password  string `koanf:"password"`
}

// SASL mechanisms, as the brokers name them.
const (
	SASLPlain       = "PLAIN"
	SASLScramSHA256 = "SCRAM-SHA-256"
	SASLScramSHA512 = "SCRAM-SHA-512"
)

// MechanismName is the mechanism in the brokers' spelling, "" for none.
func (s KafkaSASL) MechanismName() string {
	m := strings.ToUpper(strings.TrimSpace(s.Mechanism))
	if m == "NONE" {
		return ""
	}
	return m
}

// Config builds the client TLS configuration, nil when TLS is off. Errors name the key at fault.
func (t KafkaTLS) Config() (*tls.Config, error) {
	if !t.Enabled {
		return nil, nil
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.ServerName, InsecureSkipVerify: t.InsecureSkipVerify} //nolint:gosec // opt-in, documented as test-only
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, &FieldError{Key: "kafka.tls.ca_file", Reason: "cannot be read: " + err.Error()}
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, &FieldError{Key: "kafka.tls.ca_file", Reason: "holds no PEM certificate: " + t.CAFile}
		}
		c.RootCAs = pool
	}
	switch {
	case t.CertFile != "" && t.KeyFile != "":
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, &FieldError{Key: "kafka.tls.cert_file", Reason: "with kafka.tls.key_file is not a usable certificate and key: " + err.Error()}
		}
		c.Certificates = []tls.Certificate{cert}
	case t.CertFile != "":
		return nil, &FieldError{Key: "kafka.tls.key_file", Reason: "must be set with kafka.tls.cert_file"}
	case t.KeyFile != "":
		return nil, &FieldError{Key: "kafka.tls.cert_file", Reason: "must be set with kafka.tls.key_file"}
	}
	return c, nil
}

// validateSecurity checks kafka.tls and kafka.sasl; the TLS files are read here, so a missing or bad file
// stops the start with its key named rather than failing every connection later.
func (k *Kafka) validateSecurity(es *Errors) {
	if !k.TLS.Enabled {
		for _, f := range []struct{ key, v string }{{"kafka.tls.ca_file", k.TLS.CAFile}, {"kafka.tls.cert_file", k.TLS.CertFile},
			{"kafka.tls.key_file", k.TLS.KeyFile}, {"kafka.tls.server_name", k.TLS.ServerName}} {
			if f.v != "" {
				es.add(f.key, "is set but kafka.tls.enabled is false")
			}
		}
	} else if _, err := k.TLS.Config(); err != nil {
		if fe, ok := err.(*FieldError); ok {
			*es = append(*es, fe)
		} else {
			es.add("kafka.tls", "%v", err)
		}
	}
	switch k.SASL.MechanismName() {
	case "":
		if k.SASL.Username != "" || k.SASL.Password != "" {
			es.add("kafka.sasl.mechanism", "must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 when kafka.sasl.username or password is set")
		}
	case SASLPlain, SASLScramSHA256, SASLScramSHA512:
		if k.SASL.Username == "" {
			es.add("kafka.sasl.username", "must not be empty with mechanism %s", k.SASL.MechanismName())
		}
		if k.SASL.Password == "" {
			es.add("kafka.sasl.password", "must not be empty with mechanism %s", k.SASL.MechanismName())
		}
	default:
		es.add("kafka.sasl.mechanism", "must be none, PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, not %q", k.SASL.Mechanism)
	}
}
