// Package maturity is the CX maturity self-assessment at /assessment: name and e-mail, then eleven
// questions one per screen, then the result page with the stage (1..5), its characteristics across the six
// transformation blocks, the level of every answer and what moves the company to the next stage.
//
// It works without JavaScript: each screen is a form step that carries the earlier answers in hidden fields.
// A few lines of inline script only make Enter continue from a selected option (text fields do it natively).
package maturity

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"html/template"
	"log/slog"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cxm-project/cxm/ingest/rules"
	"github.com/cxm-project/cxm/ingest/web"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
)

// Submit writes one event and waits for Kafka.
type Submit func(ctx context.Context, e event.Event) error

// Handler serves the assessment.
type Handler struct {
	location string
	rules    *rules.Rules
	submit   Submit
	log      *slog.Logger
	dupErr   func(error) bool
}

// New returns the handler; isDuplicate tells Submit's duplicate error apart.
func New(cfg *config.Config, r *rules.Rules, submit Submit, isDuplicate func(error) bool, log *slog.Logger) *Handler {
	return &Handler{location: cfg.Ingest.Assessment.Location, rules: r, submit: submit, log: log, dupErr: isDuplicate}
}

// Mount adds /assessment and /assessment/{location}.
func (h *Handler) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /assessment", h.serve)
	mux.HandleFunc("POST /assessment", h.serve)
	mux.HandleFunc("GET /assessment/{location}", h.serve)
	mux.HandleFunc("POST /assessment/{location}", h.serve)
}

// form is the state carried from screen to screen.
type form struct {
	Lang    string
	Action  string
	Step    int // 0: about you; 1..11: questions
	SID     string
	Name    string
	Email   string
	Consent bool
	Levels  [11]int
	Error   string
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) {
	location, action := h.location, "/assessment"
	if l := r.PathValue("location"); l != "" {
		if h.rules.Location(l) == nil {
			http.Error(w, "unknown location", http.StatusNotFound)
			return
		}
		location, action = l, "/assessment/"+l
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	f := form{Lang: web.Lang(r), Action: action}
	if r.Method == http.MethodGet {
		f.SID = newSID()
		h.render(w, http.StatusOK, &f)
		return
	}
	f.Step, _ = strconv.Atoi(r.PostFormValue("step"))
	f.Step = min(max(f.Step, 0), len(questions))
	f.SID = r.PostFormValue("sid")
	if len(f.SID) != 32 {
		f.SID = newSID()
	}
	f.Name = strings.TrimSpace(r.PostFormValue("name"))
	f.Email = strings.TrimSpace(r.PostFormValue("email"))
	f.Consent = r.PostFormValue("consent") == "yes"
	for i := range f.Levels {
		if v, err := strconv.Atoi(r.PostFormValue("q" + strconv.Itoa(i+1))); err == nil && v >= 1 && v <= 4 {
			f.Levels[i] = v
		}
	}
	if r.PostFormValue("nav") == "back" {
		f.Step = max(f.Step-1, 0)
		h.render(w, http.StatusOK, &f)
		return
	}
	// Check the screen being left.
	if f.Step == 0 {
		if utf8.RuneCountInString(f.Name) > 200 {
			f.Error = tr(f.Lang, "Имя слишком длинное.", "The name is too long.")
		} else if f.Email != "" {
			if a, err := mail.ParseAddress(f.Email); err != nil || a.Address != f.Email || len(f.Email) > 254 {
				f.Error = tr(f.Lang, "Проверьте адрес электронной почты.", "Please check the e-mail address.")
			}
		}
	} else if f.Levels[f.Step-1] == 0 {
		f.Error = tr(f.Lang, "Выберите один из вариантов.", "Please choose one of the options.")
	}
	if f.Error != "" {
		h.render(w, http.StatusBadRequest, &f)
		return
	}
	if f.Step < len(questions) {
		f.Step++
		h.render(w, http.StatusOK, &f)
		return
	}
	for i, l := range f.Levels {
		if l == 0 { // a hand-made request skipped a screen: send the person back to it
			f.Step, f.Error = i+1, tr(f.Lang, "Выберите один из вариантов.", "Please choose one of the options.")
			h.render(w, http.StatusBadRequest, &f)
			return
		}
	}
	if err := h.record(r.Context(), location, &f); err != nil && !h.dupErr(err) {
		h.log.Warn("assessment not recorded", "err", err)
		f.Error = tr(f.Lang, "Не удалось сохранить ответы, попробуйте ещё раз через минуту.", "Your answers could not be saved; please try again in a minute.")
		h.render(w, http.StatusServiceUnavailable, &f)
		return
	}
	h.result(w, &f)
}

// record writes the answers as a survey event. The id comes from the form's session id, so a resubmitted
// last screen is a duplicate, not a second assessment. Name and e-mail are personal data: they are stored
// (in ext) only when the person ticked the consent box, and otherwise dropped here.
func (h *Handler) record(ctx context.Context, location string, f *form) error {
	a := &event.Answers{}
	for i, l := range f.Levels {
		a.Q[i] = int8(l)
	}
	e := event.Event{ID: "web:" + SurveyID + ":" + f.SID, Type: event.TypeSurvey, Location: location, Device: "web",
		Time: time.Now(), Survey: SurveyID, Answers: a}
	if f.Consent && (f.Email != "" || f.Name != "") {
		ext, _ := json.Marshal(map[string]any{"name": f.Name, "email": f.Email, "consent": true, "lang": f.Lang})
		e.Ext = ext
	}
	return h.submit(ctx, e)
}

func newSID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func tr(lang, ru, en string) string {
	if lang == "ru" {
		return ru
	}
	return en
}

type option struct {
	Value   int
	Text    string
	Checked bool
	Focus   bool // the checked option, or the first: where the keyboard starts
}

type answerView struct {
	N     int
	Title string
	Level int
	Text  string
}

type blockView struct{ Title, Text string }

type page struct {
	*form
	CSS      template.CSS
	N        int
	Title    string
	Options  []option
	Hidden   []hidden
	Score    int
	Stage    int
	Name     string
	Range    string
	Summary  string
	Blocks   []blockView
	Answers  []answerView
	Next     string
	Drivers  []string
	IsResult bool
}

type hidden struct{ Name, Value string }

// T picks the page's language.
func (p *page) T(ru, en string) string { return tr(p.Lang, ru, en) }

func (h *Handler) newPage(f *form) *page {
	return &page{form: f, CSS: template.CSS(web.CSS), N: len(questions)}
}

func (h *Handler) render(w http.ResponseWriter, code int, f *form) {
	p := h.newPage(f)
	p.Hidden = append(p.Hidden, hidden{"lang", f.Lang}, hidden{"sid", f.SID}, hidden{"step", strconv.Itoa(f.Step)})
	if f.Step > 0 {
		p.Hidden = append(p.Hidden, hidden{"name", f.Name}, hidden{"email", f.Email})
		if f.Consent {
			p.Hidden = append(p.Hidden, hidden{"consent", "yes"})
		}
		q := questions[f.Step-1]
		p.Title = q.Title.in(f.Lang)
		for i, l := range q.Levels {
			cur := f.Levels[f.Step-1]
			p.Options = append(p.Options, option{Value: i + 1, Text: l.in(f.Lang), Checked: cur == i+1, Focus: cur == i+1 || cur == 0 && i == 0})
		}
	}
	for i, l := range f.Levels {
		if l != 0 && i != f.Step-1 {
			p.Hidden = append(p.Hidden, hidden{"q" + strconv.Itoa(i+1), strconv.Itoa(l)})
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	if err := pageTmpl.Execute(w, p); err != nil {
		h.log.Warn("assessment page", "err", err)
	}
}

func (h *Handler) result(w http.ResponseWriter, f *form) {
	p := h.newPage(f)
	p.IsResult = true
	p.Score = Score(f.Levels)
	p.Stage = Stage(p.Score)
	st := stages[p.Stage-1]
	p.Name = st.Name.in(f.Lang)
	p.Range = strconv.Itoa(st.From) + "–" + strconv.Itoa(st.To)
	p.Summary = st.Summary.in(f.Lang)
	for i, b := range blocks {
		p.Blocks = append(p.Blocks, blockView{b.in(f.Lang), st.Blocks[i].in(f.Lang)})
	}
	for i, l := range f.Levels {
		p.Answers = append(p.Answers, answerView{i + 1, questions[i].Title.in(f.Lang), l, questions[i].Levels[l-1].in(f.Lang)})
	}
	if p.Stage < len(stages) {
		p.Next = stages[p.Stage].Name.in(f.Lang)
	}
	for _, d := range st.Drivers {
		p.Drivers = append(p.Drivers, d.in(f.Lang))
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := pageTmpl.Execute(w, p); err != nil {
		h.log.Warn("assessment result page", "err", err)
	}
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.T "Оценка клиентоцентричной зрелости" "Customer-centricity maturity assessment"}}</title>
<style>{{.CSS}}</style></head>
<body><main>
{{if .IsResult}}
<h1 id="result">{{.T "Ваш результат" "Your result"}}: {{.Score}} {{.T "из 95" "of 95"}}</h1>
<div class="stage" id="stage" data-stage="{{.Stage}}">
<h2>{{.T "Стадия" "Stage"}} {{.Stage}}: {{.Name}}</h2>
<p class="muted">{{.T "Диапазон стадии" "Stage range"}}: {{.Range}} {{.T "из 95" "of 95"}}</p>
<p>{{.Summary}}</p>
</div>
<h2>{{.T "Зрелость по шести блокам" "Maturity across the six blocks"}}</h2>
<dl>{{range .Blocks}}<dt><strong>{{.Title}}</strong></dt><dd>{{.Text}}</dd>{{end}}</dl>
<h2>{{.T "Ваши ответы" "Your answers"}}</h2>
<ol>{{range .Answers}}<li><strong>{{.Title}}</strong> — {{$.T "уровень" "level"}} {{.Level}} {{$.T "из 4" "of 4"}}: {{.Text}}</li>{{end}}</ol>
<h2>{{if .Next}}{{.T "Что поможет перейти на стадию" "What moves you to the stage"}} «{{.Next}}»{{else}}{{.T "Как удержать уровень" "How to hold the level"}}{{end}}</h2>
<ul>{{range .Drivers}}<li>{{.}}</li>{{end}}</ul>
<p><a href="{{.Action}}?lang={{.Lang}}">{{.T "Пройти оценку заново" "Take the assessment again"}}</a></p>
{{else}}
<p class="lang"><a href="{{.Action}}?lang=ru" lang="ru">Русский</a> · <a href="{{.Action}}?lang=en" lang="en">English</a></p>
<h1>{{.T "Оценка клиентоцентричной зрелости" "Customer-centricity maturity assessment"}}</h1>
<form method="post" action="{{.Action}}" id="f" novalidate>
{{range .Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">{{end}}
{{if eq .Step 0}}
<p>{{.T "Одиннадцать вопросов о том, как ваша компания работает с клиентским опытом. Результат — стадия зрелости от 1 до 5 и шаги к следующей." "Eleven questions on how your company manages customer experience. The result is a maturity stage from 1 to 5 and the steps to the next one."}}</p>
<p><label for="name">{{.T "Как к вам обращаться" "Your name"}}</label>
<input type="text" id="name" name="name" value="{{.Name}}" autocomplete="name" autofocus maxlength="200"></p>
<p><label for="email">{{.T "Электронная почта" "E-mail"}}</label>
<input type="email" id="email" name="email" value="{{.Email}}" autocomplete="email" maxlength="254"></p>
<p><label><input type="checkbox" name="consent" value="yes"{{if .Consent}} checked{{end}}> {{.T "Я согласен(на) на хранение моего имени и почты вместе с ответами. Без согласия они не сохраняются." "I agree that my name and e-mail are stored with my answers. Without consent they are not stored."}}</label></p>
{{else}}
<p class="muted" id="progress">{{.T "Вопрос" "Question"}} {{.Step}} {{.T "из" "of"}} {{.N}}</p>
<fieldset class="options"><legend><h2>{{.Title}}</h2>{{.T "Какой вариант ближе всего к вашей компании?" "Which option describes your company best?"}}</legend>
{{range .Options}}<label><input type="radio" name="q{{$.Step}}" value="{{.Value}}"{{if .Checked}} checked{{end}}{{if .Focus}} autofocus{{end}} required> {{.Text}}</label>
{{end}}</fieldset>
{{end}}
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
<div class="buttons">
<button type="submit" name="nav" value="next" id="next">{{if eq .Step .N}}{{.T "Узнать результат" "See the result"}}{{else if eq .Step 0}}{{.T "Начать" "Start"}}{{else}}{{.T "Далее" "Next"}}{{end}}</button>
{{if gt .Step 0}}<button type="submit" name="nav" value="back" class="secondary" id="back" formnovalidate>{{.T "Назад" "Back"}}</button>{{end}}
</div>
<p class="muted">{{.T "Enter — продолжить" "Press Enter to continue"}}</p>
</form>
<script>
document.getElementById('f').addEventListener('keydown', function (e) {
  if (e.key === 'Enter' && e.target.type === 'radio') {
    e.preventDefault();
    if (!this.querySelector('input[name="' + e.target.name + '"]:checked')) e.target.checked = true;
    this.requestSubmit(document.getElementById('next'));
  }
});
</script>
{{end}}
</main></body></html>
`))
