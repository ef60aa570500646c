package config

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"strings"
	"time"
)

// HTTPTLS is the listener's certificate. Both empty: plain HTTP (a TLS-terminating proxy in front).
type HTTPTLS struct {
	CertFile string `koanf:"cert_file"`
	KeyFile  string `koanf:"key_file"`
}

// SurveyGuard bounds what the public survey pages accept beyond one answer per browser: a single-use nonce
// issued with the page, counts per client address and per location, and a burst detector per location.
// Answers over a count are kept with a misuse reason (excluded from every KPI), not dropped.
type SurveyGuard struct {
	// NonceTTL is how long a page's form may be sent; a nonce is accepted once.
	NonceTTL time.Duration `koanf:"nonce_ttl"`
	// Window is the period the per-address and per-location counts run over.
	Window time.Duration `koanf:"window"`
	// PerAddress is how many answers one client address may send per window before the rest are misuse.
	PerAddress int `koanf:"per_address"`
	// PerLocation is how many answers one location may receive per window before the rest are misuse.
	PerLocation int `koanf:"per_location"`
	// BurstWindow and Burst: more than Burst answers at one location within BurstWindow are misuse.
	BurstWindow time.Duration `koanf:"burst_window"`
	Burst       int           `koanf:"burst"`
	// MaxTracked caps each table (addresses, used nonces, browsers); what does not fit is counted under one
	// shared overflow entry, so memory stays bounded whatever an attacker sends.
	MaxTracked int `koanf:"max_tracked"`
}

// Privacy is how long personal data (names, e-mails and comments of surveys and assessments) is kept.
type Privacy struct {
	// Retention: personal fields of events older than this are blanked (0: kept until erased).
	Retention time.Duration `koanf:"retention"`
	// SweepInterval is how often the processor applies the retention.
	SweepInterval time.Duration `koanf:"sweep_interval"`
}

// APILimits are the per-token limits of the read API.
type APILimits struct {
	// RequestsPerSecond and Burst: each read token's request bucket (429 with Retry-After beyond it).
	RequestsPerSecond float64 `koanf:"requests_per_second"`
	Burst             int     `koanf:"burst"`
	// MaxConcurrent is how many requests of one token may run at once (429 beyond it).
	MaxConcurrent int `koanf:"max_concurrent"`
}

// devTokenHash is the SHA-256 of the well-known development token "cxm-dev-token" (internal/auth.DevToken;
// auth imports config, so the hash is spelt here). A configuration that lists it is refused: that token
// is public.
var devTokenHash = func() string {
	s := sha256.Sum256([]byte("cxm-dev-token"))
	return "sha256:" + hex.EncodeToString(s[:])
}()

// IsDevTokenHash reports whether a configured hash is the development token's.
func IsDevTokenHash(h string) bool { return strings.EqualFold(strings.TrimSpace(h), devTokenHash) }

func (h *HTTP) validate(es *Errors) {
	for _, d := range []struct {
		key string
		v   time.Duration
	}{{"http.read_header_timeout", h.ReadHeaderTimeout}, {"http.read_timeout", h.ReadTimeout}, {"http.write_timeout", h.WriteTimeout}, {"http.idle_timeout", h.IdleTimeout}} {
		if d.v <= 0 {
			es.add(d.key, "must be positive, e.g. 30s")
		}
	}
	if h.MaxConcurrent < 1 {
		es.add("http.max_concurrent", "must be at least 1")
	}
	if h.MaxHeaderBytes < 4096 {
		es.add("http.max_header_bytes", "must be at least 4096")
	}
	if (h.TLS.CertFile == "") != (h.TLS.KeyFile == "") {
		es.add("http.tls", "set both cert_file and key_file, or neither")
	}
	if h.InternalListen != "" {
		if _, _, err := net.SplitHostPort(h.InternalListen); err != nil {
			es.add("http.internal_listen", "must be host:port, not %q", h.InternalListen)
		} else if h.InternalListen == h.Listen {
			es.add("http.internal_listen", "must differ from http.listen")
		}
	}
	for i, p := range h.TrustedProxies {
		if _, err := ParseProxy(p); err != nil {
			es.add(fmt.Sprintf("http.trusted_proxies[%d]", i), "%v", err)
		}
	}
}

// ParseProxy reads one trusted proxy: an IP address or a CIDR range.
func ParseProxy(s string) (*net.IPNet, error) {
	if _, n, err := net.ParseCIDR(s); err == nil {
		return n, nil
	}
	ip := net.ParseIP(s)
	if ip == nil {
		return nil, fmt.Errorf("must be an IP address or a CIDR range, not %q", s)
	}
	bits := 128
	if ip.To4() != nil {
		ip, bits = ip.To4(), 32
	}
	return &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)}, nil
}

func (g *SurveyGuard) validate(in *Ingest, es *Errors) {
	if g.NonceTTL < time.Minute {
		es.add("ingest.survey_guard.nonce_ttl", "must be at least 1m (people need time to fill the form in)")
	}
	if g.Window < time.Minute {
		es.add("ingest.survey_guard.window", "must be at least 1m")
	}
	if g.PerAddress < 1 {
		es.add("ingest.survey_guard.per_address", "must be at least 1")
	}
	if g.PerLocation < 1 {
		es.add("ingest.survey_guard.per_location", "must be at least 1")
	}
	if g.BurstWindow < time.Second || g.BurstWindow > g.Window {
		es.add("ingest.survey_guard.burst_window", "must be between 1s and ingest.survey_guard.window")
	}
	if g.Burst < 1 {
		es.add("ingest.survey_guard.burst", "must be at least 1")
	}
	if g.MaxTracked < 100 {
		es.add("ingest.survey_guard.max_tracked", "must be at least 100")
	}
	if in.Replicas < 1 {
		es.add("ingest.replicas", "must be at least 1")
	}
	if in.Replicas > 1 && in.CookieSecret == "" {
		es.add("ingest.cookie_secret", "must be set (32+ characters, the same on every instance) when ingest.replicas is %d: "+
			"a random key per process would make one instance refuse the survey pages another issued", in.Replicas)
	}
}

func (p *Privacy) validate(es *Errors) {
	if p.Retention < 0 {
		es.add("privacy.retention", "must not be negative (0: keep until erased)")
	} else if p.Retention > 0 && p.Retention < time.Hour {
		es.add("privacy.retention", "must be at least 1h (or 0)")
	}
	if p.SweepInterval < time.Minute {
		es.add("privacy.sweep_interval", "must be at least 1m")
	}
}

func (l *APILimits) validate(es *Errors) {
	if l.RequestsPerSecond <= 0 {
		es.add("api.rate_limit.requests_per_second", "must be positive")
	}
	if l.Burst < 1 {
		es.add("api.rate_limit.burst", "must be at least 1")
	}
	if l.MaxConcurrent < 1 {
		es.add("api.rate_limit.max_concurrent", "must be at least 1")
	}
}

// securityDefaults are the defaults of the settings above.
func securityDefaults() map[string]any {
	return map[string]any{
		"http.read_header_timeout":           10 * time.Second,
		"http.read_timeout":                  60 * time.Second,
		"http.write_timeout":                 60 * time.Second,
		"http.idle_timeout":                  120 * time.Second,
		"http.max_concurrent":                512,
		"http.max_header_bytes":              64 << 10,
		"http.tls.cert_file":                 "",
		"http.tls.key_file":                  "",
		"http.internal_listen":               "",
		"http.hsts":                          false,
		"http.trusted_proxies":               []string{},
		"ingest.replicas":                    1,
		"ingest.rate_limit.bytes_per_second": int64(20 << 20),
		"ingest.rate_limit.bytes_burst":      int64(100 << 20),
		"ingest.survey_guard.nonce_ttl":      2 * time.Hour,
		"ingest.survey_guard.window":         time.Hour,
		"ingest.survey_guard.per_address":    10,
		"ingest.survey_guard.per_location":   500,
		"ingest.survey_guard.burst_window":   time.Minute,
		"ingest.survey_guard.burst":          20,
		"ingest.survey_guard.max_tracked":    100_000,
		"privacy.retention":                  365 * 24 * time.Hour,
		"privacy.sweep_interval":             time.Hour,
		"api.rate_limit.requests_per_second": 20.0,
		"api.rate_limit.burst":               100,
		"api.rate_limit.max_concurrent":      8,
		"api.max_export_bytes":               int64(2 << 30),
		"api.max_xlsx_rows":                  int64(1_000_000),
	}
}
