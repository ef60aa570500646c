package config

// Ingest configures the event API, tokens, surveys and imports (owned by the ingest work).
type Ingest struct {
}

func (in *Ingest) validate(c *Config, es *Errors) {}

// ingestDefaults are the defaults of the ingest section, keyed "ingest.…".
func ingestDefaults() map[string]any { return map[string]any{} }
