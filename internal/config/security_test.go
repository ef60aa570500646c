package config

import (
	"errors"
	"strings"
	"testing"
)

// TestSecuritySettings: each security setting that is wrong fails the start naming its key.
func TestSecuritySettings(t *testing.T) {
	dev := "sha256:12fa3b855b65eb67b3e5de1b35e8132e6e723cc898f30932690f45334a345195" // cxm-dev-token
	loc := "locations:\n  - id: a\n"
	for _, tc := range []struct {
		name, yaml, key, reason string
	}{
		{"dev token as a write token", loc + "ingest:\n  tokens:\n    - {name: x, hash: " + dev + ", all: true}\n", "ingest.tokens[0].hash", "development token"},
		{"dev token as a read token", loc + "api:\n  tokens:\n    - {name: x, hash: " + dev + ", all: true}\n", "api.tokens[0].hash", "development token"},
		{"replicas without a shared secret", "ingest:\n  replicas: 3\n", "ingest.cookie_secret", "ingest.replicas is 3"},
		{"half a certificate", "http:\n  tls: {cert_file: /c.pem}\n", "http.tls", "both"},
		{"bad trusted proxy", "http:\n  trusted_proxies: [10.0.0.0/33]\n", "http.trusted_proxies[0]", "CIDR"},
		{"internal listener on the public one", "http:\n  listen: 127.0.0.1:8080\n  internal_listen: 127.0.0.1:8080\n", "http.internal_listen", "differ"},
		{"no concurrency", "http:\n  max_concurrent: 0\n", "http.max_concurrent", "at least 1"},
		{"no write timeout", "http:\n  write_timeout: 0s\n", "http.write_timeout", "positive"},
		{"byte burst below one body", "ingest:\n  rate_limit:\n    bytes_burst: 1024\n", "ingest.rate_limit.bytes_burst", "max_body_bytes"},
		{"nonce too short", "ingest:\n  survey_guard:\n    nonce_ttl: 10s\n", "ingest.survey_guard.nonce_ttl", "1m"},
		{"burst window over the window", "ingest:\n  survey_guard:\n    burst_window: 2h\n", "ingest.survey_guard.burst_window", "between"},
		{"unbounded tables", "ingest:\n  survey_guard:\n    max_tracked: 0\n", "ingest.survey_guard.max_tracked", "at least 100"},
		{"negative retention", "privacy:\n  retention: -1h\n", "privacy.retention", "negative"},
		{"API rate", "api:\n  rate_limit:\n    requests_per_second: 0\n", "api.rate_limit.requests_per_second", "positive"},
		{"export bytes", "api:\n  max_export_bytes: 10\n", "api.max_export_bytes", "1024"},
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
	// With the secret set, several replicas are fine.
	if _, err := Load(writeFile(t, "ingest:\n  replicas: 3\n  cookie_secret: "+strings.Repeat("s", 32)+"\n"), nil); err != nil {
		t.Errorf("replicas with a secret: %v", err)
	}
}
