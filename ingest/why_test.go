package ingest_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	cxmtest "github.com/cxm-project/cxm/internal/testutil"
)

// withWhy configures follow-up reasons and two review pages of shop-1 (on a copy of the shared registry).
func withWhy(reviewURL string) func(*config.Config) {
	return func(cfg *config.Config) {
		cfg.Reasons.Positive = []config.Reason{{Code: "staff", TitleRU: "Вежливый персонал", TitleEN: "Friendly staff"}, {Code: "fast", TitleRU: "Быстро", TitleEN: "Fast service"}}
		cfg.Reasons.Negative = []config.Reason{{Code: "queue", TitleRU: "Долгая очередь", TitleEN: "Long queue"}, {Code: "rude", TitleRU: "Грубость", TitleEN: "Rudeness"}}
		locs := append([]config.Location(nil), cfg.Locations...)
		for i := range locs {
			if locs[i].ID == "shop-1" {
				locs[i].Reviews = []config.ReviewLink{
					{Platform: "yandex", Title: "Яндекс Карты", URL: reviewURL + "/yandex"},
					{Platform: "2gis", Title: "2ГИС", URL: reviewURL + "/2gis"},
				}
			}
		}
		cfg.Locations = locs
	}
}

var reviewHref = regexp.MustCompile(`href="(/s/shop-1/default/review/yandex\?[^"]+)"`)

// TestSurveyWhyAndHandoff: the follow-up reason matching the score and the consented contact reach Kafka
// on the answer; the thank-you page offers both review pages whatever the score; the redirect follows
// only configured pages and records one click per answer and platform.
func TestSurveyWhyAndHandoff(t *testing.T) {
	k := cxmtest.Kafka(t)
	e := start(t, k, withWhy("https://reviews.example"))
	page := e.url + "/s/shop-1/default"
	noFollow := func() *http.Client {
		jar, _ := cookiejar.New(nil)
		return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	post := func(c *http.Client, v url.Values) (int, string) {
		v = withNonce(t, c, page, v)
		resp, err := c.PostForm(page+"?lang=en", v)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	base := url.Values{"nps": {"3"}, "csat": {"2"}, "ces": {"2"}}
	with := func(kv ...string) url.Values {
		v := url.Values{}
		for k, vs := range base {
			v[k] = vs
		}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	for _, tc := range []struct {
		name string
		form url.Values
		text string
	}{
		{"reason from the wrong list", with("reason_neg", "staff"), "choose one of the listed reasons"},
		{"contact without consent", with("reason_neg", "queue", "contact_phone", "+7 900 000-00-00"), "tick the consent"},
		{"consent without contact", with("contact_consent", "1"), "phone number or an e-mail"},
		{"bad e-mail", with("contact_consent", "1", "contact_email", "not an address"), "check the e-mail"},
	} {
		if code, body := post(noFollow(), tc.form); code != 400 || !strings.Contains(body, tc.text) {
			t.Errorf("%s: %d, want 400 ~%q", tc.name, code, tc.text)
		}
	}

	// An unhappy answer: the negative reason is kept, the positive one picked before the score changed is not.
	c := noFollow()
	code, body := post(c, with("reason_neg", "queue", "reason_pos", "staff", "contact_consent", "1", "contact_name", "Анна", "contact_email", "anna@example.com"))
	if code != 200 || !strings.Contains(body, "Thank you") || !strings.Contains(body, `id="contact-ok"`) ||
		!strings.Contains(body, "Яндекс Карты") || !strings.Contains(body, "2ГИС") {
		t.Fatalf("thank-you page %d:\n%s", code, body)
	}
	m := reviewHref.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no yandex link on the thank-you page:\n%s", body)
	}
	link := e.url + strings.ReplaceAll(m[1], "&amp;", "&")
	// A happy answer from another browser gets the same review pages (no gating by score).
	if code, body := post(noFollow(), url.Values{"nps": {"10"}, "csat": {"5"}, "ces": {"7"}, "reason_pos": {"fast"}}); code != 200 ||
		!strings.Contains(body, "Яндекс Карты") || !strings.Contains(body, "2ГИС") || strings.Contains(body, "contact-ok") {
		t.Errorf("happy thank-you page %d", code)
	}

	get := func(u string) *http.Response {
		resp, err := noFollow().Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for range 2 { // the second click of the same answer is a duplicate
		if resp := get(link); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "https://reviews.example/yandex" {
			t.Errorf("redirect: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	forged := strings.Replace(link, "sig=", "sig=x", 1)
	if resp := get(forged); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("forged link: %d (redirected, not counted)", resp.StatusCode)
	}
	if resp := get(e.url + "/s/shop-1/default/review/evil?a=x&sig=y"); resp.StatusCode != 404 {
		t.Errorf("unconfigured platform: %d", resp.StatusCode)
	}
	if resp := get(e.url + "/s/shop-2/default/review/yandex"); resp.StatusCode != 404 {
		t.Errorf("platform of another location: %d", resp.StatusCode)
	}

	var unhappy *event.Event
	shown, clicks := map[string]int{}, map[string]int{}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		unhappy, shown, clicks = nil, map[string]int{}, map[string]int{}
		for _, ev := range readEvents(t, k) {
			switch {
			case ev.Type == event.TypeSurvey && ev.Answers.NPS != nil && *ev.Answers.NPS == 3:
				unhappy = &ev
			case ev.Type == event.TypeReview && ev.Kind == event.KindShown:
				shown[ev.Platform]++
			case ev.Type == event.TypeReview && ev.Kind == event.KindClick:
				clicks[ev.Platform]++
			}
		}
		if unhappy != nil && clicks["yandex"] == 1 && shown["2gis"] == 2 {
			break
		}
	}
	if unhappy == nil || unhappy.Reason != "queue" || !strings.Contains(string(unhappy.Ext), `"email":"anna@example.com"`) ||
		!strings.Contains(string(unhappy.Ext), `"consent":true`) {
		t.Errorf("unhappy answer: %+v ext %s", unhappy, func() string {
			if unhappy == nil {
				return ""
			}
			return string(unhappy.Ext)
		}())
	}
	if shown["yandex"] != 2 || shown["2gis"] != 2 || clicks["yandex"] != 1 || clicks["2gis"] != 0 {
		t.Errorf("shown %v clicks %v; want 2 each shown, 1 yandex click", shown, clicks)
	}
}

// TestEventsWhyValidated: through the event API, a reason outside the list matching the press, a review
// platform the location does not list, and a reason on a consultation are refused, each naming its field;
// a consultation with its seller and a matching reason are accepted.
func TestEventsWhyValidated(t *testing.T) {
	k := cxmtest.Kafka(t)
	e := start(t, k, withWhy("https://reviews.example"))
	now := time.Now().Format(time.RFC3339)
	ev := func(id, rest string) string {
		return `{"id":"` + id + `","location":"shop-1","time":"` + now + `",` + rest + `}`
	}
	body := "[" + strings.Join([]string{
		ev("w-1", `"type":"button","kind":"smiley","value":1,"scale":5,"reason":"queue"`),
		ev("w-2", `"type":"button","kind":"smiley","value":5,"scale":5,"reason":"queue"`),
		ev("w-3", `"type":"button","kind":"consultation","seller":"emp-7"`),
		ev("w-4", `"type":"button","kind":"consultation","reason":"queue"`),
		ev("w-5", `"type":"review","kind":"click","platform":"google"`),
		ev("w-6", `"type":"survey","survey":"default","answers":{"nps":10},"reason":"staff"`),
	}, ",") + "]"
	code, _, a := e.do(t, post{token: tokenAll, body: []byte(body)})
	if code != 200 || len(a.Results) != 6 {
		t.Fatalf("%d %+v", code, a)
	}
	want := []struct{ status, field, reason string }{
		{"accepted", "", ""},
		{"rejected", "reason", "reasons.positive [staff fast]"},
		{"accepted", "", ""},
		{"rejected", "reason", "not allowed for kind consultation"},
		{"rejected", "platform", "not a review page of this location"},
		{"accepted", "", ""},
	}
	for i, w := range want {
		r := a.Results[i]
		if r.Status != w.status || w.field != "" && (len(r.Errors) != 1 || r.Errors[0].Field != w.field || !strings.Contains(r.Errors[0].Reason, w.reason)) {
			t.Errorf("event %d: %+v, want %s on %q ~%q", i, r, w.status, w.field, w.reason)
		}
	}
}
