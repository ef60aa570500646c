package main

import (
	"log/slog"

	"github.com/cxm-project/cxm/internal/config"
)

// toEmbedded points the Kafka client settings at the embedded broker at addr. That broker listens on
// plaintext without SASL (it is for one machine), so kafka.tls and kafka.sasl, which are for a real
// cluster, are dropped with a warning rather than failing every connection.
func toEmbedded(kc config.Kafka, addrs []string, log *slog.Logger) config.Kafka {
	if kc.TLS.Enabled || kc.SASL.MechanismName() != "" {
		log.Warn("the embedded broker speaks plaintext without SASL: kafka.tls and kafka.sasl are not used with it")
	}
	kc.Brokers = addrs
	kc.TLS, kc.SASL = config.KafkaTLS{}, config.KafkaSASL{}
	return kc
}
