package survey

import (
	"cmp"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cxm-project/cxm/ingest/web"
	"github.com/cxm-project/cxm/internal/event"
	qn "github.com/cxm-project/cxm/internal/survey"
)

// The page of a configured questionnaire (surveys: in the configuration, internal/survey). One template
// per part (templates/*.html: the page, a question, and one per kind of question), so other parts of the
// page can be added as templates of their own. No JavaScript: a question with a condition is hidden by a
// CSS :has() rule on the answer it depends on, and the server applies the same conditions when it reads
// the form (an answer to a question that is not shown is dropped, a shown required question must be
// answered), as the ingest does for every event (survey.CheckAnswers).

//go:embed templates/*.html
var templateFiles embed.FS

var qtmpl = template.Must(template.New("").ParseFS(templateFiles, "templates/*.html"))

// qCSS is the questionnaire's own styling on top of web.CSS: choice lists, numbering, hidden conditional
// questions, the marker of a question the server sent back.
const qCSS = `.q{margin-bottom:1.4rem}.cond{display:none}.num{color:#4a4a4a;font-weight:400}.req{color:#a30000}
.intro{color:#333}.options{display:grid;gap:.35rem}.options label{display:flex;gap:.6rem;align-items:center;border:1px solid #999;border-radius:.4rem;padding:.6rem;min-height:2.75rem;cursor:pointer}
.options input{width:1.25rem;height:1.25rem;flex:none}.options label:has(input:checked){border-color:#0b4f9c;background:#eef4fb}
.options label:has(input:focus-visible){outline:3px solid #e07000;outline-offset:2px}.invalid fieldset,.invalid textarea{border-left:4px solid #a30000;padding-left:.5rem}
@media (min-width:48rem){main{max-width:46rem}}
`

type qOption struct {
	Code  int
	Label string
}

type qQuestion struct {
	ID, Type, Label, Low, High, Text string
	Num                              int
	Required, Cond, Invalid          bool
	Values                           []int
	Options                          []qOption
	chosen                           []int
	lang                             string
	yesNo                            bool
}

// Checked reports whether v is among the values sent back.
func (q qQuestion) Checked(v int) bool { return slices.Contains(q.chosen, v) }

// HTMLRequired: the browser enforces required only where the question is always shown (a hidden required
// input would block the form); the server checks the conditional ones.
func (q qQuestion) HTMLRequired() bool { return q.Required && !q.Cond }

// ValueLabel is what a scale button shows: the number, or yes/no.
func (q qQuestion) ValueLabel(v int) string {
	if q.yesNo {
		if v == 1 {
			return tr(q.lang, "Да", "Yes")
		}
		return tr(q.lang, "Нет", "No")
	}
	return strconv.Itoa(v)
}

type qPage struct {
	page
	Intro         string
	QCSS, CondCSS template.CSS
	Questions     []qQuestion
}

// conditionCSS shows each conditional question when an answer in its range is checked.
func conditionCSS(s *qn.Survey) string {
	var b strings.Builder
	for _, q := range s.Questions {
		c := q.ShowIf
		if c == nil {
			continue
		}
		src := s.Question(c.Question)
		var sel []string
		for _, v := range valuesOf(src) {
			if v >= c.Min && v <= c.Max {
				sel = append(sel, fmt.Sprintf(`#questionnaire:has(input[name=%q][value="%d"]:checked) #q-%s`, src.ID, v, q.ID))
			}
		}
		if len(sel) > 0 {
			b.WriteString(strings.Join(sel, ",") + "{display:block}\n")
		}
	}
	return b.String()
}

func valuesOf(q *qn.Question) []int {
	if lo, hi, ok := q.Range(); ok {
		vs := make([]int, 0, hi-lo+1)
		for v := lo; v <= hi; v++ {
			vs = append(vs, v)
		}
		return vs
	}
	var vs []int
	for _, o := range q.Options {
		vs = append(vs, o.Code)
	}
	return vs
}

// renderQuestionnaire writes the page of a configured questionnaire; r, when not nil, is the form sent
// back (its answers are kept, and the questions at fault are marked).
func (h *Handler) renderQuestionnaire(w http.ResponseWriter, code int, s *qn.Survey, loc, lang string, r *http.Request, errMsg, done string) {
	var invalid []string
	if r != nil && errMsg != "" {
		_, _, invalid = parseQuestionnaire(s, r, lang)
	}
	p := qPage{page: page{Lang: lang, Title: s.Title.In(lang), Action: "/s/" + loc + "/" + s.ID + "?lang=" + lang,
		Error: errMsg, Done: done, CSS: template.CSS(web.CSS), Nonce: h.guard.nonce(loc, s.ID, h.now())},
		Intro: s.Text.In(lang), QCSS: template.CSS(qCSS), CondCSS: template.CSS(conditionCSS(s))}
	if l := h.rules.Location(loc); l != nil {
		p.Store = cmp.Or(l.Name, l.ID)
	}
	for i, q := range s.Questions {
		v := qQuestion{ID: q.ID, Type: q.Type, Num: i + 1, Label: q.Text.In(lang), Low: q.Low.In(lang), High: q.High.In(lang),
			Required: q.Required, Cond: q.ShowIf != nil, Invalid: slices.Contains(invalid, q.ID), lang: lang, yesNo: q.Type == qn.YesNo}
		if _, _, ok := q.Range(); ok {
			v.Values = valuesOf(&q)
		}
		for _, o := range q.Options {
			v.Options = append(v.Options, qOption{Code: o.Code, Label: o.Text.In(lang)})
		}
		if r != nil {
			v.Text = r.PostFormValue(q.ID)
			for _, s := range r.PostForm[q.ID] {
				if n, err := strconv.Atoi(s); err == nil {
					v.chosen = append(v.chosen, n)
				}
			}
		}
		p.Questions = append(p.Questions, v)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	if err := qtmpl.ExecuteTemplate(w, "questionnaire", p); err != nil {
		h.log.Warn("questionnaire page", "err", err)
	}
}

// parseQuestionnaire reads the form of a configured questionnaire into contract v2 answers, applying its
// conditions in order; msg (in the page's language) and the questions at fault when it is refused.
func parseQuestionnaire(s *qn.Survey, r *http.Request, lang string) (a *event.Answers, msg string, invalid []string) {
	a = &event.Answers{}
	var missing []string
	for i := range s.Questions {
		q := &s.Questions[i]
		vals := r.PostForm[q.ID]
		if !qn.Shown(q, a) {
			continue // hidden: whatever the form holds for it is not an answer
		}
		var it *event.Item
		switch q.Type {
		case qn.FreeText:
			if v := strings.TrimSpace(r.PostFormValue(q.ID)); v != "" {
				if utf8.RuneCountInString(v) > event.MaxCommentLen {
					return nil, tr(lang, "Ответ длиннее 4000 символов.", "An answer is longer than 4000 characters."), []string{q.ID}
				}
				it = &event.Item{Key: q.ID, Kind: event.ItemText, Text: v}
			}
		case qn.Multiple:
			var codes []int
			for _, v := range vals {
				n, err := strconv.Atoi(v)
				if err != nil || !q.HasCode(n) || slices.Contains(codes, n) {
					return nil, tr(lang, "Форма повреждена: отправьте ответ ещё раз.", "The form is damaged: please send your answer again."), []string{q.ID}
				}
				codes = append(codes, n)
			}
			if len(codes) > 0 {
				it = &event.Item{Key: q.ID, Kind: event.ItemCodes, Codes: codes}
			}
		default:
			if v := r.PostFormValue(q.ID); v != "" {
				n, err := strconv.Atoi(v)
				lo, hi, numeric := q.Range()
				if err != nil || numeric && (n < lo || n > hi) || q.Type == qn.Single && !q.HasCode(n) {
					return nil, tr(lang, "Форма повреждена: отправьте ответ ещё раз.", "The form is damaged: please send your answer again."), []string{q.ID}
				}
				it = &event.Item{Key: q.ID, Kind: event.ItemInt, Int: n}
			}
		}
		if it != nil {
			a.Items = append(a.Items, *it)
		} else if q.Required {
			missing = append(missing, q.ID)
		}
	}
	if len(missing) > 0 {
		nums := make([]string, len(missing))
		for i, id := range missing {
			nums[i] = strconv.Itoa(slices.IndexFunc(s.Questions, func(q qn.Question) bool { return q.ID == id }) + 1)
		}
		return nil, tr(lang, "Пожалуйста, ответьте на обязательные вопросы: "+strings.Join(nums, ", ")+".",
			"Please answer the required questions: "+strings.Join(nums, ", ")+"."), missing
	}
	if len(a.Items) == 0 {
		return nil, tr(lang, "Ответ пустой.", "The answer is empty."), nil
	}
	return a, "", nil
}
