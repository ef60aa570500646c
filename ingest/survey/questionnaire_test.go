package survey

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cxm-project/cxm/internal/event"
	qn "github.com/cxm-project/cxm/internal/survey"
)

// TestParseQuestionnaire: the server applies the questionnaire's conditions to the form as the page does
// (an answer to a hidden question is dropped, a shown required one must be there) and refuses values the
// page cannot send.
func TestParseQuestionnaire(t *testing.T) {
	s := &qn.Survey{ID: "v", Questions: []qn.Question{
		{ID: "recommend", Type: qn.Scale, Required: true},
		{ID: "why", Type: qn.FreeText, Required: true, ShowIf: &qn.Condition{Question: "recommend", Min: 0, Max: 6}},
		{ID: "dept", Type: qn.Multiple, Options: []qn.Option{{Code: 1}, {Code: 2}}},
		{ID: "back", Type: qn.YesNo},
	}}
	for _, tc := range []struct {
		form        url.Values
		wantItems   string
		wantMsg     string
		wantInvalid string
	}{
		{url.Values{"recommend": {"9"}, "why": {"left over from a 3"}, "dept": {"1", "2"}, "back": {"1"}}, `{"recommend":9,"dept":[1,2],"back":1}`, "", ""},
		{url.Values{"recommend": {"3"}, "why": {"  slow  "}}, `{"recommend":3,"why":"slow"}`, "", ""},
		{url.Values{"recommend": {"3"}}, "", "Please answer the required questions: 2.", "why"},
		{url.Values{"dept": {"1"}}, "", "Please answer the required questions: 1.", "recommend"},
		{url.Values{"recommend": {"11"}}, "", "The form is damaged: please send your answer again.", "recommend"},
		{url.Values{"recommend": {"9"}, "dept": {"3"}}, "", "The form is damaged: please send your answer again.", "dept"},
	} {
		r := &http.Request{PostForm: tc.form, Form: tc.form}
		a, msg, invalid := parseQuestionnaire(s, r, "en")
		got := ""
		if a != nil {
			got = event.ItemsJSON(a.Items)
		}
		if got != tc.wantItems || msg != tc.wantMsg || strings.Join(invalid, ",") != tc.wantInvalid {
			t.Errorf("%v: items %s msg %q invalid %v; want %s %q %s", tc.form, got, msg, invalid, tc.wantItems, tc.wantMsg, tc.wantInvalid)
		}
		if a != nil {
			if errs := qn.CheckAnswers(s, a); errs != nil {
				t.Errorf("%v: the ingest refuses what the page sends: %v", tc.form, errs)
			}
		}
	}
}
