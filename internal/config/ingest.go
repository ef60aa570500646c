package config

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"time"
)

// Ingest configures the event API, its write tokens, the QR surveys, the maturity assessment and the CSV
// importer (`cxm ingest`, and the ingest part of `cxm run`).
type Ingest struct {
	// MaxBodyBytes caps one POST /v1/events body, counted both as sent and after gunzip (413 beyond it).
	MaxBodyBytes int64 `koanf:"max_body_bytes"`
	// MaxEvents caps the events of one request (413 beyond it).
	MaxEvents int `koanf:"max_events"`
	// MaxEventBytes caps one event's JSON; a larger event is rejected on its own, the rest of the batch goes on.
	MaxEventBytes int `koanf:"max_event_bytes"`
	// MaxFuture is how far ahead of the receiving clock an event's time may be (device clocks drift).
	MaxFuture time.Duration `koanf:"max_future"`
	// MaxPast is how old an event may be; keep it at most the processor's allowed lateness minus its max_future_skew, since an
	// older event would be dropped there anyway.
	MaxPast time.Duration `koanf:"max_past"`
	// RetryAfter is what 503 answers tell clients to wait while Kafka is unreachable.
	RetryAfter time.Duration `koanf:"retry_after"`
	// ProduceTimeout bounds the wait for Kafka's acknowledgement of one request's events.
	ProduceTimeout time.Duration `koanf:"produce_timeout"`
	Dedupe         Dedupe        `koanf:"dedupe"`
	RateLimit      RateLimit     `koanf:"rate_limit"`
	// Tokens are the write tokens, stored as SHA-256 hashes only (`cxm token new` prints one).
	Tokens []IngestToken `koanf:"tokens"`
	// DevToken accepts the well-known development token (see ingest/README.md) for every location. `cxm run`
	// turns it on for local use; it is refused unless http.listen is a loopback address.
	DevToken bool `koanf:"dev_token"`
	// PublicURL is the base URL people reach the ingest at; QR codes point below it.
	PublicURL string `koanf:"public_url"`
	// Surveys are the QR surveys served at /s/{location}/{survey}.
	Surveys []Survey `koanf:"surveys"`
	// SurveyInterval is how often one browser may answer the same survey at the same location.
	SurveyInterval time.Duration `koanf:"survey_interval"`
	// CookieSecret signs the survey browser-id cookie. Empty: a random key per process, so limits reset on
	// restart and are per instance; set it (32+ characters) when several instances serve surveys.
	CookieSecret string `koanf:"cookie_secret"`
	// Replicas is how many ingest instances serve the surveys; above 1 a shared cookie_secret is required.
	Replicas    int         `koanf:"replicas"`
	SurveyGuard SurveyGuard `koanf:"survey_guard"`
	Assessment  Assessment  `koanf:"assessment"`
	Import      Import      `koanf:"import"`
}

// Dedupe configures the ingest's duplicate detection by event id.
type Dedupe struct {
	// Horizon is how long an accepted id is remembered.
	Horizon time.Duration `koanf:"horizon"`
	// MaxIDs caps the ids held in memory (about 100 bytes each); beyond it the oldest are forgotten early
	// and the processor's own dedupe remains the safety net.
	MaxIDs int `koanf:"max_ids"`
}

// RateLimit is the per-token token bucket, in events.
type RateLimit struct {
	EventsPerSecond float64 `koanf:"events_per_second"`
	Burst           int     `koanf:"burst"`
	// BytesPerSecond and BytesBurst: each token's body bytes (as sent), checked before the body is read.
	BytesPerSecond int64 `koanf:"bytes_per_second"`
	BytesBurst     int64 `koanf:"bytes_burst"`
}

// IngestToken is one write token: a name for logs, the SHA-256 of the secret and the locations it may
// write (or all).
type IngestToken struct {
	Name      string   `koanf:"name"`
	Hash      string   `koanf:"hash"`
	Locations []string `koanf:"locations"`
	All       bool     `koanf:"all"`
	// EventsPerSecond and Burst override ingest.rate_limit for this token when set.
	EventsPerSecond float64 `koanf:"events_per_second"`
	Burst           int     `koanf:"burst"`
}

// Survey is one QR survey: which questions it asks, in order, and its titles.
type Survey struct {
	ID        string   `koanf:"id"`
	Questions []string `koanf:"questions"` // nps, csat, ces, comment
	TitleRU   string   `koanf:"title_ru"`
	TitleEN   string   `koanf:"title_en"`
}

// Assessment configures the CX maturity self-assessment at /assessment.
type Assessment struct {
	Enabled bool `koanf:"enabled"`
	// Location is the location id the answers of /assessment are recorded under (/assessment/{location}
	// uses that registered location instead).
	Location string `koanf:"location"`
}

// Import configures `cxm import`.
type Import struct {
	// BatchSize is how many rows are written to Kafka per acknowledged batch.
	BatchSize int `koanf:"batch_size"`
}

// SurveyQuestions are the question kinds a survey may ask.
var SurveyQuestions = []string{"nps", "csat", "ces", "comment"}

var surveyIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// Survey returns the survey with the id, or nil.
func (in *Ingest) Survey(id string) *Survey {
	for i := range in.Surveys {
		if in.Surveys[i].ID == id {
			return &in.Surveys[i]
		}
	}
	return nil
}

func (in *Ingest) validate(c *Config, es *Errors) {
	if in.MaxBodyBytes < 1024 {
		es.add("ingest.max_body_bytes", "must be at least 1024")
	}
	if in.MaxEvents < 1 {
		es.add("ingest.max_events", "must be at least 1")
	}
	if in.MaxEventBytes < 256 {
		es.add("ingest.max_event_bytes", "must be at least 256")
	}
	if in.MaxFuture < 0 {
		es.add("ingest.max_future", "must not be negative")
	}
	if in.MaxPast <= 0 {
		es.add("ingest.max_past", "must be positive, e.g. 168h")
	}
	if in.RetryAfter < time.Second {
		es.add("ingest.retry_after", "must be at least 1s")
	}
	if in.ProduceTimeout <= 0 {
		es.add("ingest.produce_timeout", "must be positive, e.g. 30s")
	}
	if in.Dedupe.Horizon <= 0 {
		es.add("ingest.dedupe.horizon", "must be positive, e.g. 24h")
	}
	if in.Dedupe.MaxIDs < 1 {
		es.add("ingest.dedupe.max_ids", "must be at least 1")
	}
	if in.RateLimit.EventsPerSecond <= 0 {
		es.add("ingest.rate_limit.events_per_second", "must be positive")
	}
	if in.RateLimit.Burst < 1 {
		es.add("ingest.rate_limit.burst", "must be at least 1")
	}
	if in.RateLimit.BytesPerSecond < 1024 {
		es.add("ingest.rate_limit.bytes_per_second", "must be at least 1024")
	}
	if in.RateLimit.BytesBurst < in.MaxBodyBytes {
		es.add("ingest.rate_limit.bytes_burst", "must be at least ingest.max_body_bytes (%d), or no full body could ever be sent", in.MaxBodyBytes)
	}
	entries := make([]tokenEntry, len(in.Tokens))
	for i, t := range in.Tokens {
		entries[i] = t.entry()
		key := fmt.Sprintf("ingest.tokens[%d]", i)
		if t.EventsPerSecond < 0 {
			es.add(key+".events_per_second", "must not be negative (0: ingest.rate_limit)")
		}
		if t.Burst < 0 {
			es.add(key+".burst", "must not be negative (0: ingest.rate_limit)")
		}
	}
	validateTokens(c, es, "ingest.tokens", "write", entries)
	if in.DevToken && !loopback(c.HTTP.Listen) {
		es.add("ingest.dev_token", "the well-known development token is only allowed when http.listen is a loopback address, not %q", c.HTTP.Listen)
	}
	if u, err := url.Parse(in.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		es.add("ingest.public_url", "must be an absolute http(s) URL, e.g. https://cx.example.com")
	}
	ids := map[string]bool{}
	for i, s := range in.Surveys {
		key := fmt.Sprintf("ingest.surveys[%d]", i)
		if !surveyIDPattern.MatchString(s.ID) {
			es.add(key+".id", "must be 1..64 chars of a-z 0-9 _ - (it appears in the URL), not %q", s.ID)
		}
		if ids[s.ID] {
			es.add(key+".id", "duplicate survey id %q", s.ID)
		}
		ids[s.ID] = true
		if len(s.Questions) == 0 {
			es.add(key+".questions", "must list at least one of nps, csat, ces, comment")
		}
		qs := map[string]bool{}
		for j, q := range s.Questions {
			if !contains(SurveyQuestions, q) || qs[q] {
				es.add(fmt.Sprintf("%s.questions[%d]", key, j), "must be one of nps, csat, ces, comment, each once, not %q", q)
			}
			qs[q] = true
		}
	}
	if in.SurveyInterval < 0 {
		es.add("ingest.survey_interval", "must not be negative (0: no limit)")
	}
	if in.CookieSecret != "" && len(in.CookieSecret) < 32 {
		es.add("ingest.cookie_secret", "must be at least 32 characters (or empty for a random key per process)")
	}
	if in.Assessment.Enabled && !LocationIDPattern.MatchString(in.Assessment.Location) {
		es.add("ingest.assessment.location", "must be a location id (1..64 chars of A-Z a-z 0-9 . _ : -), not %q", in.Assessment.Location)
	}
	if in.Import.BatchSize < 1 {
		es.add("ingest.import.batch_size", "must be at least 1")
	}
}

// loopback reports whether a listen address only accepts local connections.
func loopback(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ingestDefaults are the defaults of the ingest section, keyed "ingest.…".
func ingestDefaults() map[string]any {
	return map[string]any{
		"ingest.max_body_bytes":               int64(5 << 20),
		"ingest.max_events":                   10000,
		"ingest.max_event_bytes":              64 << 10,
		"ingest.max_future":                   10 * time.Minute,
		"ingest.max_past":                     7 * 24 * time.Hour,
		"ingest.retry_after":                  5 * time.Second,
		"ingest.produce_timeout":              30 * time.Second,
		"ingest.dedupe.horizon":               24 * time.Hour,
		"ingest.dedupe.max_ids":               5_000_000,
		"ingest.rate_limit.events_per_second": 2000.0,
		"ingest.rate_limit.burst":             20000,
		"ingest.dev_token":                    false,
		"ingest.public_url":                   "http://127.0.0.1:8080",
		"ingest.surveys": []map[string]any{{
			"id":        "default",
			"questions": []string{"nps", "csat", "ces", "comment"},
			"title_ru":  "Как прошёл ваш визит?",
			"title_en":  "How was your visit?",
		}},
		"ingest.survey_interval":     12 * time.Hour,
		"ingest.cookie_secret":       "",
		"ingest.assessment.enabled":  true,
		"ingest.assessment.location": "web",
		"ingest.import.batch_size":   1000,
	}
}
