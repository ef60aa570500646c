package config

// Processor configures windows, KPIs, thresholds and the ClickHouse writer (owned by the processor work).
type Processor struct {
}

func (p *Processor) validate(c *Config, es *Errors) {}

// processorDefaults are the defaults of the processor section, keyed "processor.…".
func processorDefaults() map[string]any { return map[string]any{} }
