// Package caseaction is the write side of the managers' inbox: POST /v1/cases/{id}/actions turns an action
// on a case (assign, comment, qualify, resolve, reopen) into a case event in Kafka, like any event, so the
// processor writes it to the case's history in ClickHouse and data keeps flowing one way.
//
// It authenticates with the read API's tokens (api.tokens), not the ingest's write tokens: a manager's
// token is the one the inbox reads their locations' cases with, and acting on a case is a person's
// decision about what they read, not device data; one token per manager, scoped to the same locations
// for reading and acting, means nobody can act on a case they cannot see. The action is checked like
// any event (contract, location registry, time) and by the closed loop's qualification rules
// (internal/cases.Validate): a resolve without its checklist filled or without a root cause is refused
// with the field named.
package caseaction

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/cxm-project/cxm/ingest/rules"
	"github.com/cxm-project/cxm/ingest/writer"
	"github.com/cxm-project/cxm/internal/auth"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
)

// Device names the inbox as the device of the events it writes.
const Device = "inbox"

// maxBody bounds one action's request (a note of 4000 characters and a full checklist fit many times).
const maxBody = 64 << 10

// Handler serves POST /v1/cases/{id}/actions.
type Handler struct {
	tokens *auth.Set
	rules  *rules.Rules
	submit func(context.Context, event.Event) error
	log    *slog.Logger
	now    func() time.Time
}

// New returns the handler; submit writes an event to Kafka and waits for the acknowledgement.
func New(cfg *config.Config, r *rules.Rules, submit func(context.Context, event.Event) error, log *slog.Logger) *Handler {
	in := make([]config.IngestToken, len(cfg.API.Tokens))
	for i, c := range cfg.API.Tokens {
		in[i] = config.IngestToken{Name: c.Name, Hash: c.Hash, Locations: c.Locations, All: c.All}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{tokens: auth.New(in, false, config.RateLimit{}), rules: r, submit: submit, log: log, now: time.Now}
}

// Mount adds the route.
func (h *Handler) Mount(mux *http.ServeMux) { mux.Handle("POST /v1/cases/{id}/actions", h) }

// Request is the body of an action. ActionID, chosen by the client once per action, makes a retried
// request safe: the event id is "<case>:<action_id>", which the dedupe recognises. Event times are whole
// seconds and a case's state takes the latest action by (time, id), so a client that may act twice in one
// second starts its ids with a fixed-width timestamp (the console does).
type Request struct {
	ActionID  string          `json:"action_id"`
	Location  string          `json:"location"`
	Action    string          `json:"action"`
	Source    string          `json:"source,omitempty"`
	Assignee  string          `json:"assignee,omitempty"`
	Note      string          `json:"note,omitempty"`
	Checklist map[string]bool `json:"checklist,omitempty"`
	Causes    []string        `json:"causes,omitempty"`
}

type answer struct {
	ID     string       `json:"id,omitempty"`
	Status string       `json:"status,omitempty"`
	Error  string       `json:"error,omitempty"`
	Errors event.Errors `json:"errors,omitempty"`
}

func reply(w http.ResponseWriter, code int, a answer) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(a)
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tok, err := h.tokens.Authenticate(r)
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="cxm"`)
		reply(w, http.StatusUnauthorized, answer{Error: err.Error()})
		return
	}
	var req Request
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		reply(w, http.StatusBadRequest, answer{Error: "body: must be one JSON object of action_id, location, action, source, assignee, note, checklist, causes: " + err.Error()})
		return
	}
	if req.ActionID == "" || len(req.ActionID) > 64 {
		reply(w, http.StatusBadRequest, answer{Errors: event.Errors{{Field: "action_id", Reason: "must be 1 to 64 characters, chosen once per action"}}})
		return
	}
	if !tok.Allows(req.Location) {
		reply(w, http.StatusForbidden, answer{Errors: event.Errors{{Field: "location", Reason: "token " + strconv.Quote(tok.Name) + " may not act on cases of location " + strconv.Quote(req.Location)}}})
		return
	}
	id := r.PathValue("id")
	now := h.now().UTC()
	e := event.Event{ID: id + ":" + req.ActionID, Type: event.TypeCase, Location: req.Location, Device: Device, Time: now,
		Case: &event.Case{ID: id, Action: req.Action, Source: req.Source, Actor: tok.Name, Assignee: req.Assignee, Note: req.Note,
			Checklist: req.Checklist, Causes: req.Causes}}
	if req.Action == event.ActionOpen {
		reply(w, http.StatusBadRequest, answer{Errors: event.Errors{{Field: "action", Reason: "cases are opened by the rules (cases.rules), not from the inbox"}}})
		return
	}
	errs := e.Validate()
	if errs == nil {
		errs = h.rules.Check(&e, now)
	}
	if errs != nil {
		reply(w, http.StatusBadRequest, answer{Errors: errs})
		return
	}
	switch err := h.submit(r.Context(), e); {
	case errors.Is(err, writer.ErrDuplicate):
		reply(w, http.StatusOK, answer{ID: e.ID, Status: "duplicate"})
	case err != nil:
		h.log.Warn("case action not written", "case", id, "err", err)
		w.Header().Set("Retry-After", "5")
		reply(w, http.StatusServiceUnavailable, answer{Error: "not acknowledged by Kafka, retry the same request: " + err.Error()})
	default:
		reply(w, http.StatusOK, answer{ID: e.ID, Status: "accepted"})
	}
}
