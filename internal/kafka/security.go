package kafka

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"syscall"

	kafkago "github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
	"github.com/segmentio/kafka-go/sasl/scram"

	"github.com/cxm-project/cxm/internal/config"
)

// security builds the TLS configuration and SASL mechanism of cfg.TLS and cfg.SASL (nil for what is off).
// Dialer and Transport are its only callers, so every client CXM makes is secured the same way.
func security(cfg config.Kafka) (*tls.Config, sasl.Mechanism, error) {
	tc, err := cfg.TLS.Config()
	if err != nil {
		return nil, nil, fmt.Errorf("kafka: %w", err)
	}
	var m sasl.Mechanism
	switch name := cfg.SASL.MechanismName(); name {
	case "":
	case config.SASLPlain:
		m = plain.Mechanism{Username: cfg.SASL.Username, Password: cfg.SASL.Password}
	case config.SASLScramSHA256, config.SASLScramSHA512:
		algo := scram.SHA256
		if name == config.SASLScramSHA512 {
			algo = scram.SHA512
		}
		if m, err = scram.Mechanism(algo, cfg.SASL.Username, cfg.SASL.Password); err != nil {
			return nil, nil, fmt.Errorf("kafka: config kafka.sasl.username/password: %w", err)
		}
	default:
		return nil, nil, fmt.Errorf("kafka: config kafka.sasl.mechanism: must be none, PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, not %q", cfg.SASL.Mechanism)
	}
	return tc, m, nil
}

// Explain adds to err what the security settings make likely. A broker refuses a SASL login either with
// SASL_AUTHENTICATION_FAILED or, as kfake and some proxies do, by closing the connection, which kafka-go
// reports as a bare EOF; either way the operator needs to know which settings to check.
func Explain(cfg config.Kafka, err error) error {
	if err == nil {
		return nil
	}
	mech := cfg.SASL.MechanismName()
	switch {
	case errors.Is(err, kafkago.SASLAuthenticationFailed):
		return fmt.Errorf("%w (the brokers refused user %q with SASL %s: check kafka.sasl.username and kafka.sasl.password)", err, cfg.SASL.Username, mech)
	case errors.Is(err, kafkago.UnsupportedSASLMechanism):
		return fmt.Errorf("%w (the brokers do not enable SASL %s: check kafka.sasl.mechanism)", err, mech)
	case !closedConn(err):
		return err
	case mech != "":
		return fmt.Errorf("%w (the broker closed the connection: SASL authentication failed, or the listener expects other settings; check kafka.sasl.mechanism %s, kafka.sasl.username %q, kafka.sasl.password and kafka.tls.enabled %v)", err, mech, cfg.SASL.Username, cfg.TLS.Enabled)
	default:
		return fmt.Errorf("%w (the broker closed the connection: a listener that requires TLS or SASL does that to a client without them; check kafka.tls.enabled %v and kafka.sasl.mechanism)", err, cfg.TLS.Enabled)
	}
}

func closedConn(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
}
