package survey

import (
	"cmp"
	"html/template"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/cxm-project/cxm/ingest/web"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/httpserver"
)

// The "leave a message" page: a customer's complaint, thanks or suggestion in their own words, from the
// store's QR page (linked under its survey) or its own QR code (/m/{location}). It writes a message event;
// contact details are kept only when the person ticks the consent box.

// messageGuardID is the pseudo-survey id the message form's nonces are bound to.
const messageGuardID = "\x00message"

// MessageURL is the public address of a location's message page.
func (h *Handler) MessageURL(location string) string {
	return strings.TrimRight(h.cfg.PublicURL, "/") + "/m/" + location
}

func (h *Handler) mountMessages(mux *http.ServeMux) {
	mux.HandleFunc("GET /m/{location}", h.messagePage)
	mux.HandleFunc("POST /m/{location}", h.messagePost)
}

type messagePage struct {
	Lang, Action, Error, Done, Nonce, Store string
	Kind, Text, Contact, Re                 string
	Consent                                 bool
	CSS                                     template.CSS
}

func (p messagePage) T(ru, en string) string { return tr(p.Lang, ru, en) }

func (h *Handler) messageLocation(w http.ResponseWriter, r *http.Request) (string, bool) {
	loc := r.PathValue("location")
	if h.rules.Location(loc) == nil {
		http.Error(w, "no such location", http.StatusNotFound)
		return "", false
	}
	return loc, true
}

func (h *Handler) messagePage(w http.ResponseWriter, r *http.Request) {
	loc, ok := h.messageLocation(w, r)
	if !ok {
		return
	}
	p := messagePage{Kind: r.FormValue("kind"), Re: r.FormValue("re")}
	h.renderMessage(w, http.StatusOK, loc, web.Lang(r), p)
}

func (h *Handler) messagePost(w http.ResponseWriter, r *http.Request) {
	loc, ok := h.messageLocation(w, r)
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
	p := messagePage{Kind: r.PostFormValue("kind"), Text: strings.TrimSpace(r.PostFormValue("text")),
		Contact: strings.TrimSpace(r.PostFormValue("contact")), Consent: r.PostFormValue("consent") == "yes", Re: r.PostFormValue("re")}
	now := h.now()
	switch h.guard.check(r.PostFormValue("nonce"), loc, messageGuardID, now) {
	case nonceBad, nonceExpired:
		p.Error = t("Форма устарела: отправьте сообщение ещё раз.", "The form has expired: please send your message again.")
		h.renderMessage(w, http.StatusBadRequest, loc, lang, p)
		return
	case nonceReplayed:
		h.renderMessage(w, http.StatusConflict, loc, lang, messagePage{Done: t("Это сообщение уже отправлено — спасибо!", "This message was already sent — thank you!")})
		return
	}
	switch {
	case p.Kind != event.KindComplaint && p.Kind != event.KindThanks && p.Kind != event.KindSuggestion:
		p.Error = t("Выберите: жалоба, благодарность или предложение.", "Choose: complaint, thanks or suggestion.")
	case p.Text == "" || utf8.RuneCountInString(p.Text) > event.MaxMessageLen:
		p.Error = t("Напишите сообщение (до 4000 знаков).", "Please write your message (up to 4000 characters).")
	case utf8.RuneCountInString(p.Contact) > event.MaxContactLen:
		p.Error = t("Контакт слишком длинный.", "The contact is too long.")
	case p.Contact != "" && !p.Consent:
		p.Error = t("Чтобы мы могли связаться с вами, отметьте согласие — или сотрите контакт.", "To let us contact you, tick the consent box — or clear the contact.")
	}
	if p.Error != "" {
		h.renderMessage(w, http.StatusBadRequest, loc, lang, p)
		return
	}
	m := &event.Message{Text: p.Text, Contact: p.Contact, Consent: p.Contact != "" && p.Consent}
	if p.Re != "" && utf8.RuneCountInString(p.Re) <= event.MaxIDLen && !strings.ContainsFunc(p.Re, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		m.Re = p.Re
	}
	ev := event.Event{ID: "web:" + newID(), Type: event.TypeMessage, Location: loc, Device: "web", Time: now, Kind: p.Kind, Message: m,
		Misuse: h.guard.decide(httpserver.ClientIP(r, h.proxies), loc, now)}
	if err := h.submit(r.Context(), ev); err != nil {
		h.log.Warn("message not recorded", "err", err)
		p.Error = t("Не удалось сохранить сообщение, попробуйте через минуту.", "Your message could not be saved; please try again in a minute.")
		h.renderMessage(w, http.StatusServiceUnavailable, loc, lang, p)
		return
	}
	done := t("Спасибо! Ваше сообщение получено.", "Thank you! Your message has been received.")
	if p.Kind == event.KindComplaint {
		done = t("Спасибо! Мы разберёмся и, если вы оставили контакт, свяжемся с вами.", "Thank you! We will look into it and, if you left a contact, get back to you.")
	}
	h.renderMessage(w, http.StatusOK, loc, lang, messagePage{Done: done})
}

func (h *Handler) renderMessage(w http.ResponseWriter, code int, loc, lang string, p messagePage) {
	p.Lang, p.CSS, p.Action = lang, template.CSS(web.CSS+messageCSS), "/m/"+loc+"?lang="+lang
	p.Nonce = h.guard.nonce(loc, messageGuardID, h.now())
	if l := h.rules.Location(loc); l != nil {
		p.Store = cmp.Or(l.Name, l.ID)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	if err := messageTmpl.Execute(w, p); err != nil {
		h.log.Warn("message page", "err", err)
	}
}

const messageCSS = `
.kinds{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:.4rem}
.kinds label{text-align:center;border:2px solid #333;border-radius:.4rem;padding:.55rem .2rem;cursor:pointer;min-height:2.75rem;overflow-wrap:anywhere}
@media (max-width:30rem){.kinds{grid-template-columns:1fr}}
.kinds input{position:absolute;opacity:0;width:1px;height:1px}
.kinds label:has(input:checked){background:#0b4f9c;color:#fff;border-color:#0b4f9c}
.kinds label:has(input:focus-visible){outline:3px solid #e07000;outline-offset:2px}
.consent{display:flex;gap:.6rem;align-items:flex-start}
.consent input{width:1.4rem;height:1.4rem;margin-top:.15rem;flex:none}
`

var messageTmpl = template.Must(template.New("message").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.T "Оставить сообщение" "Leave a message"}}</title><style>{{.CSS}}</style></head>
<body><main>
<p class="lang"><a href="?lang=ru" lang="ru">Русский</a> · <a href="?lang=en" lang="en">English</a></p>
<h1>{{.T "Оставить сообщение" "Leave a message"}}</h1>
{{if .Store}}<p class="store">{{.Store}}</p>{{end}}
{{if .Done}}<p id="done" role="status">{{.Done}}</p>{{else}}
<form method="post" action="{{.Action}}">
<input type="hidden" name="nonce" value="{{.Nonce}}">{{if .Re}}<input type="hidden" name="re" value="{{.Re}}">{{end}}
<fieldset><legend>{{.T "О чём ваше сообщение?" "What is your message about?"}}</legend>
<div class="kinds" role="radiogroup">
<label><input type="radio" name="kind" id="kind-complaint" value="complaint"{{if eq .Kind "complaint"}} checked{{end}} required><span>{{.T "Жалоба" "Complaint"}}</span></label>
<label><input type="radio" name="kind" id="kind-thanks" value="thanks"{{if eq .Kind "thanks"}} checked{{end}}><span>{{.T "Благодарность" "Thanks"}}</span></label>
<label><input type="radio" name="kind" id="kind-suggestion" value="suggestion"{{if eq .Kind "suggestion"}} checked{{end}}><span>{{.T "Предложение" "Suggestion"}}</span></label>
</div></fieldset>
<p><label for="text">{{.T "Ваше сообщение" "Your message"}}</label><textarea id="text" name="text" rows="5" maxlength="4000" required>{{.Text}}</textarea></p>
<p><label for="contact">{{.T "Телефон или e-mail, если хотите, чтобы мы ответили (необязательно)" "Phone or e-mail if you would like an answer (optional)"}}</label>
<input type="text" id="contact" name="contact" maxlength="256" autocomplete="email" value="{{.Contact}}"></p>
<p class="consent"><input type="checkbox" id="consent" name="consent" value="yes"{{if .Consent}} checked{{end}}>
<label for="consent">{{.T "Согласен(на), чтобы мой контакт хранился и использовался только для ответа на это сообщение." "I agree that my contact is stored and used only to answer this message."}}</label></p>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
<div class="buttons send"><button type="submit" id="send">{{.T "Отправить" "Send"}}</button></div>
</form>{{end}}
</main></body></html>
`))
