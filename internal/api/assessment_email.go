package api

import (
	"errors"
	"net/http"

	"github.com/cxm-project/cxm/internal/console"
)

// assessmentEmail serves POST /v1/assessments/{id}/email: the console's "e-mail the respondent's copy".
// It sends the respondent their report, in their language, to the address they left with consent
// (console.smtp). 404 outside the token's scope, 409 when e-mail is off or there is no address, 502 when
// the mail server does not take the message.
func (s *Server) assessmentEmail(w http.ResponseWriter, r *http.Request, sc *scope) {
	if _, err := newParams(r.URL); err != nil {
		s.paramFail(w, err)
		return
	}
	a, err := s.engine.Assessment(r.Context(), r.PathValue("id"), sc.allows)
	if err != nil {
		s.writeQueryError(w, r, err)
		return
	}
	m := console.NewMailer(s.cfg.Console.SMTP)
	if m == nil {
		writeError(w, http.StatusConflict, "console.smtp.addr", "e-mail is not configured")
		return
	}
	err = m.SendCopy(r.Context(), console.Copy{ID: a.ID, Name: a.Name, Email: a.Email, Lang: a.Lang, Location: a.Location, Time: a.Time, Levels: a.Levels})
	switch {
	case errors.Is(err, console.ErrNoEmail):
		writeError(w, http.StatusConflict, "email", err.Error())
	case err != nil:
		s.log.Error("assessment e-mail", "id", a.ID, "err", err)
		writeError(w, http.StatusBadGateway, "console.smtp", "the mail server did not take the message; the server log has the details")
	default:
		writeJSON(w, http.StatusOK, map[string]string{"sent_to": a.Email})
	}
}
