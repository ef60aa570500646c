// Package evidence serves the auditors' side of service-standard audits on the ingest: evidence uploads
// (POST /v1/evidence) and what the audit form needs to know (GET /v1/audit-form: the token's locations and
// their checklist templates). Both take a write token, scoped to locations like POST /v1/events.
package evidence

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/cxm-project/cxm/ingest/rules"
	"github.com/cxm-project/cxm/internal/auth"
	"github.com/cxm-project/cxm/internal/config"
	ev "github.com/cxm-project/cxm/internal/evidence"
	"github.com/cxm-project/cxm/internal/objstore"
)

// Handler serves the two routes.
type Handler struct {
	cfg    *config.Config
	tokens *auth.Set
	rules  *rules.Rules
	store  objstore.Store
	log    *slog.Logger
	now    func() time.Time
}

// New returns the handler over an open store.
func New(cfg *config.Config, tokens *auth.Set, r *rules.Rules, store objstore.Store, log *slog.Logger) *Handler {
	return &Handler{cfg: cfg, tokens: tokens, rules: r, store: store, log: log, now: time.Now}
}

// Mount adds the routes.
func (h *Handler) Mount(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/evidence", h.upload)
	mux.HandleFunc("GET /v1/audit-form", h.form)
}

type problem struct {
	Error  string `json:"error"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

func fail(w http.ResponseWriter, code int, field, reason string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(problem{Error: http.StatusText(code), Field: field, Reason: reason})
}

func (h *Handler) auth(w http.ResponseWriter, r *http.Request) *auth.Token {
	tok, err := h.tokens.Authenticate(r)
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="cxm-ingest"`)
		fail(w, http.StatusUnauthorized, "", err.Error())
		return nil
	}
	return tok
}

// Uploaded is the answer to an upload: the reference an audit event carries in audit.evidence.
type Uploaded struct {
	Key         string `json:"key"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

// upload stores the request body (the file's bytes, any Content-Type) as evidence of ?location=.
func (h *Handler) upload(w http.ResponseWriter, r *http.Request) {
	tok := h.auth(w, r)
	if tok == nil {
		return
	}
	loc := r.URL.Query().Get("location")
	switch {
	case loc == "":
		fail(w, http.StatusBadRequest, "location", "is required: ?location=<location id>")
		return
	case h.rules.Location(loc) == nil:
		fail(w, http.StatusBadRequest, "location", "unknown location: not in the location registry")
		return
	case !tok.Allows(loc):
		fail(w, http.StatusForbidden, "location", "token "+strconv.Quote(tok.Name)+" may not write location "+strconv.Quote(loc))
		return
	}
	max := h.cfg.Audits.Evidence.MaxBytes
	if r.ContentLength > max {
		fail(w, http.StatusRequestEntityTooLarge, "body", "larger than audits.evidence.max_bytes ("+strconv.FormatInt(max, 10)+" bytes)")
		return
	}
	// One byte over the limit lets the store tell "too large" from "exactly the limit".
	body := http.MaxBytesReader(w, r.Body, max+1)
	info, err := h.store.Put(r.Context(), ev.NewKey(loc, h.now()), body)
	var (
		tl *objstore.TooLargeError
		te *objstore.TypeError
		mb *http.MaxBytesError
	)
	switch {
	case errors.As(err, &tl) || errors.As(err, &mb):
		fail(w, http.StatusRequestEntityTooLarge, "body", "larger than audits.evidence.max_bytes ("+strconv.FormatInt(max, 10)+" bytes)")
	case errors.As(err, &te):
		fail(w, http.StatusUnsupportedMediaType, "body", "the content is "+te.Sniffed+" (judged by its bytes, not its name); audits.evidence.types allows photos, audio and video")
	case err != nil:
		h.log.Error("evidence upload", "location", loc, "err", err)
		fail(w, http.StatusServiceUnavailable, "", "the object store failed; retry later")
	default:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(Uploaded{Key: info.Key, ContentType: info.ContentType, Size: info.Size})
	}
}

// FormLocation is a location the token may audit, with the templates that apply there.
type FormLocation struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Templates []string `json:"templates"`
}

// Form is what the audit form needs.
type Form struct {
	Locations []FormLocation         `json:"locations"`
	Templates []config.AuditTemplate `json:"templates"`
	MaxBytes  int64                  `json:"max_bytes"`
}

func (h *Handler) form(w http.ResponseWriter, r *http.Request) {
	tok := h.auth(w, r)
	if tok == nil {
		return
	}
	f := Form{Locations: []FormLocation{}, Templates: h.cfg.Audits.Templates, MaxBytes: h.cfg.Audits.Evidence.MaxBytes}
	for _, l := range h.cfg.Locations {
		if !tok.Allows(l.ID) {
			continue
		}
		fl := FormLocation{ID: l.ID, Name: l.Name, Templates: []string{}}
		for _, t := range h.rules.AuditTemplates(l.ID) {
			fl.Templates = append(fl.Templates, t.ID)
		}
		if len(fl.Templates) > 0 {
			f.Locations = append(f.Locations, fl)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(f)
}
