// Package maturity is the CX maturity self-assessment.
package maturity

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/cxm-project/cxm/ingest/rules"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
)

// Submit writes one event and waits for Kafka.
type Submit func(ctx context.Context, e event.Event) error

type Handler struct{}

func New(cfg *config.Config, r *rules.Rules, submit Submit, log *slog.Logger) *Handler {
	return &Handler{}
}

func (h *Handler) Mount(mux *http.ServeMux) {}
