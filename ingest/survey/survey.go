// Package survey serves the QR surveys: /s/{location}/{survey} is a small mobile page (no JavaScript, no
// external assets) asking the survey's questions (NPS 0-10, CSAT 1-5, CES 2.0 1-7, a comment), in Russian or
// English; /s/{location}/{survey}/qr.png is the code to print for that page.
//
// One browser may answer one survey at one location once per ingest.survey_interval. The browser is known
// by a random id in an HMAC-signed cookie, and the time of its last answer is kept on the server by that id,
// so the limit does not trust anything the browser could edit. Clearing cookies gets a new id, so behind
// that: every form carries a signed single-use nonce (a POST without a fresh one is refused), and answers
// over the per-address or per-location counts, or in a burst at one location, are kept with a misuse
// reason and counted in no KPI (guard.go).
package survey

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/cxm-project/cxm/ingest/metrics"
	"github.com/cxm-project/cxm/ingest/rules"
	"github.com/cxm-project/cxm/ingest/web"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/httpserver"
	qn "github.com/cxm-project/cxm/internal/survey"
)

// Submit writes one event and waits for Kafka.
type Submit func(ctx context.Context, e event.Event) error

// CookieName holds the signed browser id.
const CookieName = "cxm_bid"

// Handler serves the surveys.
type Handler struct {
	cfg      config.Ingest
	surveys  map[string]*config.Survey
	rules    *rules.Rules
	submit   Submit
	log      *slog.Logger
	key      []byte
	secure   bool
	mu       sync.Mutex
	answered map[string]time.Time // browser|location|survey -> last answer
	now      func() time.Time
	guard    *guard
	proxies  []*net.IPNet
	reasons  *config.Reasons // the follow-up question (why.go)
	catalog  *qn.Catalog     // configured questionnaires (questionnaire.go)
}

// New returns the handler; m counts the answers its guard flags.
func New(cfg *config.Config, r *rules.Rules, submit Submit, m *metrics.Metrics, log *slog.Logger) (*Handler, error) {
	h := &Handler{cfg: cfg.Ingest, surveys: map[string]*config.Survey{}, rules: r, submit: submit, log: log,
		answered: map[string]time.Time{}, now: time.Now, secure: strings.HasPrefix(cfg.Ingest.PublicURL, "https:"), reasons: &cfg.Reasons}
	for i := range cfg.Ingest.Surveys {
		h.surveys[cfg.Ingest.Surveys[i].ID] = &cfg.Ingest.Surveys[i]
	}
	h.catalog = cfg.Catalog()
	if h.catalog != nil {
		for _, s := range h.catalog.Surveys {
			h.surveys[s.ID] = &config.Survey{ID: s.ID} // served by questionnaire.go
		}
	}
	if cfg.Ingest.CookieSecret != "" {
		h.key = []byte(cfg.Ingest.CookieSecret)
	} else {
		h.key = make([]byte, 32)
		if _, err := rand.Read(h.key); err != nil {
			return nil, err
		}
	}
	h.guard = newGuard(cfg.Ingest.SurveyGuard, h.key, m.SurveyMisuse)
	h.proxies = httpserver.TrustedProxies(cfg.HTTP.TrustedProxies)
	return h, nil
}

// Mount adds the survey routes.
func (h *Handler) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /s/{location}/{survey}", h.page)
	mux.HandleFunc("POST /s/{location}/{survey}", h.answer)
	mux.HandleFunc("GET /s/{location}/{survey}/qr.png", h.qr)
	h.mountMessages(mux) // "leave a message" (message.go)
	mux.HandleFunc("GET /s/{location}/{survey}/review/{platform}", h.review)
}

// URL is the public address of a survey page.
func (h *Handler) URL(location, survey string) string {
	return strings.TrimRight(h.cfg.PublicURL, "/") + "/s/" + location + "/" + survey
}

func (h *Handler) lookup(w http.ResponseWriter, r *http.Request) (*config.Survey, string, bool) {
	loc, id := r.PathValue("location"), r.PathValue("survey")
	s := h.surveys[id]
	if s == nil || h.rules.Location(loc) == nil {
		http.Error(w, "no such survey", http.StatusNotFound)
		return nil, "", false
	}
	return s, loc, true
}

func (h *Handler) qr(w http.ResponseWriter, r *http.Request) {
	s, loc, ok := h.lookup(w, r)
	if !ok {
		return
	}
	png, err := qrPNG(h.URL(loc, s.ID), 512)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(png)
}

// browser returns the request's verified browser id, or "".
func (h *Handler) browser(r *http.Request) string {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return ""
	}
	id, sig, ok := strings.Cut(c.Value, ".")
	if !ok || len(id) != 32 || !hmac.Equal([]byte(sig), []byte(h.sign(id))) {
		return ""
	}
	return id
}

func (h *Handler) sign(id string) string {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (h *Handler) setBrowser(w http.ResponseWriter) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: id + "." + h.sign(id), Path: "/s/", MaxAge: 400 * 24 * 3600,
		HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode})
}

type question struct {
	Kind     string
	Label    string
	Low      string
	High     string
	Values   []int
	Selected int
	Text     string
}

type page struct {
	Lang, Title, Action, Error, Done, Nonce string
	Store                                   string // the location's name, so the respondent knows whom they rate
	MessageURL                              string // "leave a message" (message.go)
	Questions                               []question
	CSS                                     template.CSS
	Why                                     template.HTML // the follow-up question and "contact me" (why.go)
}

func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	s, loc, ok := h.lookup(w, r)
	if !ok {
		return
	}
	if h.browser(r) == "" {
		h.setBrowser(w)
	}
	h.render(w, http.StatusOK, s, loc, web.Lang(r), nil, "", "")
}

func (h *Handler) answer(w http.ResponseWriter, r *http.Request) {
	s, loc, ok := h.lookup(w, r)
	if !ok {
		return
	}
	if !web.SameOrigin(r) {
		http.Error(w, "cross-origin form posts are refused", http.StatusForbidden)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 32<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	lang := web.Lang(r)
	t := func(ru, en string) string { return tr(lang, ru, en) }
	now := h.now()
	switch h.guard.check(r.PostFormValue("nonce"), loc, s.ID, now) {
	case nonceBad:
		h.render(w, http.StatusBadRequest, s, loc, lang, r, t("Форма устарела или повреждена: отправьте ответ ещё раз.", "The form was not issued by this page: please send your answer again."), "")
		return
	case nonceExpired:
		h.render(w, http.StatusBadRequest, s, loc, lang, r, t("Форма устарела: отправьте ответ ещё раз.", "The form has expired: please send your answer again."), "")
		return
	case nonceReplayed:
		h.render(w, http.StatusConflict, s, loc, lang, nil, "", t("Этот ответ уже отправлен — спасибо!", "This answer was already sent — thank you!"))
		return
	}
	bid := h.browser(r)
	if bid == "" {
		h.setBrowser(w)
		h.render(w, http.StatusBadRequest, s, loc, lang, r, t("Включите cookies в браузере и отправьте ответ ещё раз.", "Please enable cookies and send your answer again."), "")
		return
	}
	a, msg := h.parse(s, r, lang)
	if msg != "" {
		h.render(w, http.StatusBadRequest, s, loc, lang, r, msg, "")
		return
	}
	reason, contact, msg := h.readWhy(r, a, lang)
	if msg != "" {
		h.render(w, http.StatusBadRequest, s, loc, lang, r, msg, "")
		return
	}
	key := bid + "|" + loc + "|" + s.ID
	if !h.reserve(key, now) {
		h.render(w, http.StatusTooManyRequests, s, loc, lang, nil, "", t("Вы уже ответили на этот опрос — спасибо!", "You have already answered this survey — thank you!"))
		return
	}
	ev := event.Event{ID: "web:" + newID(), Type: event.TypeSurvey, Location: loc, Device: "web", Time: now, Survey: s.ID, Answers: a,
		Misuse: h.guard.decide(httpserver.ClientIP(r, h.proxies), loc, now), Reason: reason, Ext: contact}
	if err := h.submit(r.Context(), ev); err != nil {
		h.release(key)
		h.log.Warn("survey answer not recorded", "err", err)
		h.render(w, http.StatusServiceUnavailable, s, loc, lang, r, t("Не удалось сохранить ответ, попробуйте через минуту.", "Your answer could not be saved; please try again in a minute."), "")
		return
	}
	h.thanks(w, r, s, loc, lang, &ev)
}

// reserve records an answer of key at now unless one is within the interval; expired records are swept
// as the map grows.
func (h *Handler) reserve(key string, now time.Time) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if last, ok := h.answered[key]; ok && now.Sub(last) < h.cfg.SurveyInterval {
		return false
	}
	h.answered[key] = now
	if len(h.answered)%4096 == 0 || len(h.answered) > h.cfg.SurveyGuard.MaxTracked {
		for k, t := range h.answered {
			if now.Sub(t) >= h.cfg.SurveyInterval {
				delete(h.answered, k)
			}
		}
		// Still over the cap: forget some browsers early (they could answer again), never grow past it.
		for k := range h.answered {
			if len(h.answered) <= h.cfg.SurveyGuard.MaxTracked {
				break
			}
			delete(h.answered, k)
		}
	}
	return true
}

func (h *Handler) release(key string) {
	h.mu.Lock()
	delete(h.answered, key)
	h.mu.Unlock()
}

var ranges = map[string][2]int{"nps": {0, 10}, "csat": {1, 5}, "ces": {1, 7}}

// parse reads the answers; every rating is required, the comment is optional.
func (h *Handler) parse(s *config.Survey, r *http.Request, lang string) (*event.Answers, string) {
	if q := h.catalog.Survey(s.ID); q != nil {
		a, msg, _ := parseQuestionnaire(q, r, lang)
		return a, msg
	}
	a := &event.Answers{}
	for _, q := range s.Questions {
		v := strings.TrimSpace(r.PostFormValue(q))
		if q == "comment" {
			if utf8.RuneCountInString(v) > event.MaxCommentLen {
				return nil, tr(lang, "Комментарий длиннее 4000 символов.", "The comment is longer than 4000 characters.")
			}
			a.Comment = v
			continue
		}
		n, err := strconv.Atoi(v)
		rg := ranges[q]
		if err != nil || n < rg[0] || n > rg[1] {
			return nil, tr(lang, "Пожалуйста, ответьте на все вопросы с оценкой.", "Please answer every rating question.")
		}
		switch q {
		case "nps":
			a.NPS = &n
		case "csat":
			a.CSAT = &n
		case "ces":
			a.CES = &n
		}
	}
	if a.NPS == nil && a.CSAT == nil && a.CES == nil && a.Comment == "" {
		return nil, tr(lang, "Ответ пустой.", "The answer is empty.")
	}
	return a, ""
}

func (h *Handler) render(w http.ResponseWriter, code int, s *config.Survey, loc, lang string, r *http.Request, errMsg, done string) {
	if q := h.catalog.Survey(s.ID); q != nil {
		h.renderQuestionnaire(w, code, q, loc, lang, r, errMsg, done)
		return
	}
	t := func(ru, en string) string { return tr(lang, ru, en) }
	p := page{Lang: lang, Title: tr(lang, s.TitleRU, s.TitleEN), Action: "/s/" + loc + "/" + s.ID + "?lang=" + lang,
		Error: errMsg, Done: done, CSS: template.CSS(web.CSS), Nonce: h.guard.nonce(loc, s.ID, h.now())}
	if l := h.rules.Location(loc); l != nil {
		p.Store = cmp.Or(l.Name, l.ID)
	}
	p.MessageURL = "/m/" + loc + "?lang=" + lang
	if p.Title == "" {
		p.Title = t("Оцените нас", "Rate us")
	}
	for _, q := range s.Questions {
		qv := question{Kind: q}
		if r != nil {
			qv.Selected, _ = strconv.Atoi(r.PostFormValue(q))
			qv.Text = r.PostFormValue(q)
		}
		if q != "comment" {
			qv.Selected = qv.Selected + 0
			if r == nil || r.PostFormValue(q) == "" {
				qv.Selected = -1
			}
		}
		switch q {
		case "nps":
			qv.Label = t("Насколько вероятно, что вы порекомендуете нас друзьям или коллегам?", "How likely are you to recommend us to a friend or colleague?")
			qv.Low, qv.High = t("0 — точно нет", "0 — not at all likely"), t("10 — обязательно", "10 — extremely likely")
		case "csat":
			qv.Label = t("Насколько вы довольны визитом?", "How satisfied are you with your visit?")
			qv.Low, qv.High = t("1 — совсем не доволен", "1 — very dissatisfied"), t("5 — очень доволен", "5 — very satisfied")
		case "ces":
			qv.Label = t("Насколько легко было решить ваш вопрос?", "How easy was it to get what you needed?")
			qv.Low, qv.High = t("1 — очень трудно", "1 — very difficult"), t("7 — очень легко", "7 — very easy")
		case "comment":
			qv.Label = t("Что нам стоит улучшить? (необязательно)", "What should we improve? (optional)")
		}
		if rg, ok := ranges[q]; ok {
			for v := rg[0]; v <= rg[1]; v++ {
				qv.Values = append(qv.Values, v)
			}
		}
		p.Questions = append(p.Questions, qv)
	}
	p.Why = h.followup(s, lang, r)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	if err := tmpl.Execute(w, p); err != nil {
		h.log.Warn("survey page", "err", err)
	}
}

// T picks the page's language.
func (p page) T(ru, en string) string { return tr(p.Lang, ru, en) }

func tr(lang, ru, en string) string {
	if lang == "ru" {
		return ru
	}
	return en
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%x", b)
}

var tmpl = template.Must(template.New("survey").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title><style>{{.CSS}}</style></head>
<body><main>
<p class="lang"><a href="?lang=ru" lang="ru">Русский</a> · <a href="?lang=en" lang="en">English</a></p>
<h1>{{.Title}}</h1>
{{if .Store}}<p class="store">{{.Store}}</p>{{end}}
{{if .Done}}<p id="done" role="status">{{.Done}}</p>{{else}}
<form method="post" action="{{.Action}}">
<input type="hidden" name="nonce" value="{{.Nonce}}">
{{range .Questions}}
{{if eq .Kind "comment"}}
<p><label for="comment">{{.Label}}</label><textarea id="comment" name="comment" rows="4" maxlength="4000">{{.Text}}</textarea></p>
{{else}}
<fieldset><legend>{{.Label}}</legend>
<div class="scale" role="radiogroup" style="--n:{{len .Values}}">{{$q := .}}{{range .Values}}<label><input type="radio" name="{{$q.Kind}}" id="{{$q.Kind}}-{{.}}" value="{{.}}"{{if eq . $q.Selected}} checked{{end}} required><span>{{.}}</span></label>{{end}}</div>
<div class="ends" aria-hidden="true"><span>{{.Low}}</span><span>{{.High}}</span></div>
</fieldset>
{{end}}{{end}}
{{.Why}}
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
<div class="buttons send"><button type="submit" id="send">{{.T "Отправить" "Send"}}</button></div>
</form>{{end}}
{{if .MessageURL}}<p class="muted"><a id="leave-message" href="{{.MessageURL}}">{{.T "Оставить сообщение: жалоба, благодарность, предложение" "Leave a message: complaint, thanks, suggestion"}}</a></p>{{end}}
</main></body></html>
`))
