package survey

import (
	"bytes"
	"crypto/hmac"
	"encoding/json"
	"html/template"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cxm-project/cxm/ingest/web"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
)

// The follow-up question, the "contact me" opt-in and the thank-you page with the review hand-off.
//
// The follow-up sits in the survey's own form, below the ratings: two lists of reasons, one for happy and
// one for unhappy answers, and the matching one appears as soon as the first rating (nps, else csat, else
// ces: the one event.Positive follows) is chosen. CSS :has() does the showing, so the page still needs no
// JavaScript; a browser without :has() shows neither list, and the answer goes without a reason. The
// server keeps only the list matching the score it received (a reason picked before the rating changed
// stays in the form, hidden, and is dropped).

// Form fields of the follow-up and the opt-in.
const (
	fieldReasonPos = "reason_pos"
	fieldReasonNeg = "reason_neg"
	fieldName      = "contact_name"
	fieldPhone     = "contact_phone"
	fieldEmail     = "contact_email"
	fieldConsent   = "contact_consent"
	maxContactLen  = 200
)

// positiveValues are the values of a rating question event.Positive counts as happy.
var positiveValues = map[string]int{"nps": 9, "csat": 4, "ces": 5}

// primary is the rating question the follow-up follows, "" when the survey has none.
func primary(s *config.Survey) string {
	for _, q := range []string{"nps", "csat", "ces"} {
		for _, sq := range s.Questions {
			if sq == q {
				return q
			}
		}
	}
	return ""
}

type whyReason struct{ Code, Title string }

type whyView struct {
	Lang              string
	CSS               template.CSS
	Positive          []whyReason
	Negative          []whyReason
	PosSel, NegSel    string
	Name, Phone, Mail string
	Consent           bool
}

func (v whyView) T(ru, en string) string { return tr(v.Lang, ru, en) }

// followup renders the follow-up block for the survey's form (empty when no reason is configured and the
// survey has no rating).
func (h *Handler) followup(s *config.Survey, lang string, r *http.Request) template.HTML {
	q := primary(s)
	if q == "" {
		return ""
	}
	rs := h.reasons
	v := whyView{Lang: lang}
	for _, x := range rs.Positive {
		v.Positive = append(v.Positive, whyReason{x.Code, tr(lang, x.TitleRU, x.TitleEN)})
	}
	for _, x := range rs.Negative {
		v.Negative = append(v.Negative, whyReason{x.Code, tr(lang, x.TitleRU, x.TitleEN)})
	}
	if r != nil {
		v.PosSel, v.NegSel = r.PostFormValue(fieldReasonPos), r.PostFormValue(fieldReasonNeg)
		v.Name, v.Phone, v.Mail = r.PostFormValue(fieldName), r.PostFormValue(fieldPhone), r.PostFormValue(fieldEmail)
		v.Consent = r.PostFormValue(fieldConsent) != ""
	}
	// Which values of the primary question show which block.
	var pos, neg []string
	rg := ranges[q]
	for x := rg[0]; x <= rg[1]; x++ {
		sel := `form:has(input[name="` + q + `"][value="` + strconv.Itoa(x) + `"]:checked)`
		if x >= positiveValues[q] {
			pos = append(pos, sel+" .why-pos")
		} else {
			neg = append(neg, sel+" .why-neg")
		}
	}
	v.CSS = template.CSS(".why-pos,.why-neg{display:none}" + strings.Join(pos, ",") + "{display:block}" + strings.Join(neg, ",") + "{display:block}")
	var b bytes.Buffer
	if err := whyTmpl.ExecuteTemplate(&b, "followup", v); err != nil {
		h.log.Warn("survey follow-up", "err", err)
		return ""
	}
	return template.HTML(b.String()) // executed by html/template: escaped
}

// readWhy takes the follow-up reason matching the score of a, and the contact details when the answer is
// unhappy and the respondent consented. msg is the error to show.
func (h *Handler) readWhy(r *http.Request, a *event.Answers, lang string) (reason string, ext json.RawMessage, msg string) {
	probe := event.Event{Type: event.TypeSurvey, Answers: a}
	pos, ok := probe.Positive()
	if !ok {
		return "", nil, ""
	}
	field := fieldReasonNeg
	if pos {
		field = fieldReasonPos
	}
	if code := r.PostFormValue(field); code != "" {
		if h.reasons.Lookup(code, pos) == nil {
			return "", nil, tr(lang, "Выберите причину из списка.", "Please choose one of the listed reasons.")
		}
		reason = code
	}
	if pos {
		return reason, nil, ""
	}
	name := strings.TrimSpace(r.PostFormValue(fieldName))
	phone := strings.TrimSpace(r.PostFormValue(fieldPhone))
	email := strings.TrimSpace(r.PostFormValue(fieldEmail))
	consent := r.PostFormValue(fieldConsent) != ""
	if !consent {
		if phone != "" || email != "" {
			return "", nil, tr(lang, "Чтобы мы могли связаться с вами, отметьте согласие на хранение контактов.", "To be contacted, please tick the consent to store your contact details.")
		}
		return reason, nil, ""
	}
	if phone == "" && email == "" {
		return "", nil, tr(lang, "Укажите телефон или e-mail, чтобы мы могли связаться с вами.", "Please give a phone number or an e-mail address so we can contact you.")
	}
	if email != "" {
		if ad, err := mail.ParseAddress(email); err != nil || ad.Address != email {
			return "", nil, tr(lang, "Проверьте адрес e-mail.", "Please check the e-mail address.")
		}
	}
	for _, s := range []string{name, phone, email} {
		if utf8.RuneCountInString(s) > maxContactLen {
			return "", nil, tr(lang, "Слишком длинные контактные данные.", "The contact details are too long.")
		}
	}
	// The contact travels in ext, the column privacy.retention blanks and `cxm privacy erase --email`
	// finds (by the "email" key, as encoding/json writes it).
	c := map[string]any{"contact_me": true, "consent": true, "lang": lang}
	if name != "" {
		c["name"] = name
	}
	if phone != "" {
		c["phone"] = phone
	}
	if email != "" {
		c["email"] = email
	}
	ext, _ = json.Marshal(c)
	return reason, ext, ""
}

type reviewLinkView struct{ Title, Href string }

type thanksView struct {
	Lang, Title, Store, Done string
	Contact                  bool
	Reviews                  []reviewLinkView
	CSS                      template.CSS
}

func (v thanksView) T(ru, en string) string { return tr(v.Lang, ru, en) }

// thanks records the invitations shown and renders the thank-you page: every review page of the location
// is offered to every respondent, whatever the score (Google's review policy forbids soliciting reviews
// only from happy customers, "review gating").
func (h *Handler) thanks(w http.ResponseWriter, r *http.Request, s *config.Survey, loc, lang string, ev *event.Event) {
	v := thanksView{Lang: lang, Title: tr(lang, s.TitleRU, s.TitleEN), CSS: template.CSS(web.CSS), Contact: len(ev.Ext) > 0,
		Done: tr(lang, "Спасибо! Ваш ответ получен.", "Thank you! Your answer has been received.")}
	if v.Title == "" {
		v.Title = tr(lang, "Оцените нас", "Rate us")
	}
	answer := strings.TrimPrefix(ev.ID, "web:")
	if l := h.rules.Location(loc); l != nil {
		v.Store = l.Name
		if v.Store == "" {
			v.Store = l.ID
		}
		for _, link := range l.Reviews {
			shown := event.Event{ID: "web:shown:" + answer + ":" + link.Platform, Type: event.TypeReview, Location: loc, Device: "web",
				Time: h.now(), Kind: event.KindShown, Platform: link.Platform, Survey: s.ID}
			if err := h.submit(r.Context(), shown); err != nil {
				h.log.Warn("review invitation not recorded", "platform", link.Platform, "err", err)
			}
			q := url.Values{"a": {answer}, "sig": {h.reviewSig(loc, s.ID, link.Platform, answer)}}
			v.Reviews = append(v.Reviews, reviewLinkView{
				Title: cmpOr(link.Title, link.Platform),
				Href:  "/s/" + loc + "/" + s.ID + "/review/" + link.Platform + "?" + q.Encode(),
			})
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if err := whyTmpl.ExecuteTemplate(w, "thanks", v); err != nil {
		h.log.Warn("survey thank-you page", "err", err)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (h *Handler) reviewSig(loc, survey, platform, answer string) string {
	return h.sign("review|" + loc + "|" + survey + "|" + platform + "|" + answer)
}

// review is GET /s/{location}/{survey}/review/{platform}: it records the click and redirects to the
// location's configured review page. Only configured pages: the target never comes from the request, so
// the endpoint cannot be used as an open redirect. A click without a valid signature (a copied or
// forged link) is redirected but not counted; one answer's click counts once per platform (the event id
// is derived from the answer, and duplicates are dropped).
func (h *Handler) review(w http.ResponseWriter, r *http.Request) {
	s, loc, ok := h.lookup(w, r)
	if !ok {
		return
	}
	platform := r.PathValue("platform")
	link := h.rules.Location(loc).Review(platform)
	if link == nil {
		http.Error(w, "no such review page", http.StatusNotFound)
		return
	}
	answer, sig := r.URL.Query().Get("a"), r.URL.Query().Get("sig")
	if answer != "" && len(answer) <= 64 && hmac.Equal([]byte(sig), []byte(h.reviewSig(loc, s.ID, platform, answer))) {
		click := event.Event{ID: "web:click:" + answer + ":" + platform, Type: event.TypeReview, Location: loc, Device: "web",
			Time: h.now(), Kind: event.KindClick, Platform: platform, Survey: s.ID}
		if err := h.submit(r.Context(), click); err != nil {
			h.log.Debug("review click not recorded", "platform", platform, "err", err)
		}
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, link.URL, http.StatusSeeOther)
}

var whyTmpl = template.Must(template.New("why").Parse(`
{{define "followup"}}<style>{{.CSS}}</style>
{{if .Negative}}<fieldset class="why-neg options" id="why-neg"><legend>{{.T "Что было не так?" "What went wrong?"}}</legend>
{{range .Negative}}<label><input type="radio" name="reason_neg" value="{{.Code}}"{{if eq .Code $.NegSel}} checked{{end}}> {{.Title}}</label>{{end}}
</fieldset>{{end}}
{{if .Positive}}<fieldset class="why-pos options" id="why-pos"><legend>{{.T "Что вам понравилось больше всего?" "What did you like most?"}}</legend>
{{range .Positive}}<label><input type="radio" name="reason_pos" value="{{.Code}}"{{if eq .Code $.PosSel}} checked{{end}}> {{.Title}}</label>{{end}}
</fieldset>{{end}}
<fieldset class="why-neg" id="contact"><legend>{{.T "Хотите, чтобы мы связались с вами?" "Would you like us to contact you?"}}</legend>
<p><label for="contact_name">{{.T "Имя (необязательно)" "Name (optional)"}}</label><input type="text" id="contact_name" name="contact_name" maxlength="200" autocomplete="name" value="{{.Name}}"></p>
<p><label for="contact_phone">{{.T "Телефон" "Phone"}}</label><input type="text" id="contact_phone" name="contact_phone" maxlength="200" autocomplete="tel" inputmode="tel" value="{{.Phone}}"></p>
<p><label for="contact_email">E-mail</label><input type="email" id="contact_email" name="contact_email" maxlength="200" autocomplete="email" value="{{.Mail}}"></p>
<p><label><input type="checkbox" name="contact_consent" id="contact_consent" value="1"{{if .Consent}} checked{{end}}> {{.T "Я согласен(на) на хранение этих контактов, чтобы со мной связались по поводу отзыва. Их можно удалить по запросу." "I agree that these details are stored so that you can contact me about my feedback. They are deleted on request."}}</label></p>
</fieldset>{{end}}

{{define "thanks"}}<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title><style>{{.CSS}}.reviews a{display:block;text-align:center;border:2px solid #0b4f9c;border-radius:.4rem;padding:.65rem;margin:.5rem 0;text-decoration:none;font-weight:600}</style></head>
<body><main>
<h1>{{.Title}}</h1>
{{if .Store}}<p class="store">{{.Store}}</p>{{end}}
<p id="done" role="status">{{.Done}}</p>
{{if .Contact}}<p id="contact-ok">{{.T "Мы свяжемся с вами по указанным контактам." "We will contact you using the details you gave."}}</p>{{end}}
{{if .Reviews}}<section class="reviews" id="reviews"><h2>{{.T "Расскажите о нас другим" "Tell others about us"}}</h2>
<p class="muted">{{.T "Если хотите, оставьте отзыв на одной из площадок:" "If you like, leave a review on one of these sites:"}}</p>
{{range .Reviews}}<a href="{{.Href}}" rel="noopener" data-platform="{{.Title}}">{{.Title}}</a>{{end}}
</section>{{end}}
</main></body></html>{{end}}
`))
