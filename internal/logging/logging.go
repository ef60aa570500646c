// Package logging builds the process's slog.Logger from the log config.
package logging

import (
	"io"
	"log/slog"

	"github.com/cxm-project/cxm/internal/config"
)

// New returns a JSON or text logger at the configured level.
func New(w io.Writer, c config.Log) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
