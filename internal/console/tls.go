package console

import "crypto/tls"

// tlsConfig verifies the mail server's certificate for its host name (STARTTLS).
func tlsConfig(host string) *tls.Config {
	return &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
}
