package config

// Voice configures the voice recordings customers leave with a message on the QR "leave a message" page.
// A recording is personal data: it lives in the object store (objstore) under messages/<location>/, is
// deleted after privacy.retention and by `cxm privacy erase` with the message it belongs to.
type Voice struct {
	// Enabled shows the recorder on the message page and accepts recordings.
	Enabled bool `koanf:"enabled"`
	// MaxBytes caps one recording (about a minute of phone audio is 0.5–1 MB).
	MaxBytes int64 `koanf:"max_bytes"`
	// Types are the sniffed media types accepted. Recorders write audio into containers the sniffer names
	// as video (WebM from Chromium's MediaRecorder, MP4 from Safari's, 3GPP from Android recorders).
	Types []string `koanf:"types"`
}

func voiceDefaults() map[string]any {
	return map[string]any{
		"voice.enabled":   true,
		"voice.max_bytes": int64(5 << 20),
		"voice.types":     []string{"audio/*", "application/ogg", "video/webm", "video/mp4", "video/3gpp"},
	}
}

func (v *Voice) validate(es *Errors) {
	if v.Enabled && v.MaxBytes < 1 {
		es.add("voice.max_bytes", "must be at least 1 when voice.enabled")
	}
	if v.Enabled && len(v.Types) == 0 {
		es.add("voice.types", "must list at least one media type when voice.enabled")
	}
}
