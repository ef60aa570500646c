package ingest_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	cxmtest "github.com/cxm-project/cxm/internal/testutil"
)

// TestSurveyOncePerInterval: one browser answers once; the second answer within the interval is refused
// by the server, a POST without the signed cookie is refused, and Kafka holds exactly one answer.
func TestSurveyOncePerInterval(t *testing.T) {
	k := cxmtest.Kafka(t)
	e := start(t, k, nil)
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	page := e.url + "/s/clinic-1/default"
	get := func(c *http.Client, u string, header ...string) (int, string) {
		req, _ := http.NewRequest("GET", u, nil)
		if len(header) == 2 {
			req.Header.Set(header[0], header[1])
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(browser, page, "Accept-Language", "ru-RU,ru;q=0.9,en;q=0.5"); code != 200 || !strings.Contains(body, `lang="ru"`) || !strings.Contains(body, "порекомендуете") {
		t.Fatalf("page: %d", code)
	}
	form := url.Values{"nps": {"10"}, "csat": {"5"}, "ces": {"7"}, "comment": {"Спасибо"}}
	postForm := func(c *http.Client, v url.Values) (int, string) {
		v = withNonce(t, c, page, v)
		resp, err := c.PostForm(page+"?lang=en", v)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	tests := []struct {
		name   string
		client *http.Client
		form   url.Values
		code   int
		text   string
	}{
		{"missing rating", browser, url.Values{"nps": {"10"}}, 400, "answer every rating"},
		{"first answer", browser, form, 200, "Thank you"},
		{"again", browser, form, 429, "already answered"},
		{"no cookie", &http.Client{}, form, 400, "enable cookies"},
	}
	for _, tt := range tests {
		if code, body := postForm(tt.client, tt.form); code != tt.code || !strings.Contains(body, tt.text) {
			t.Errorf("%s: %d, want %d ~%q", tt.name, code, tt.code, tt.text)
		}
	}
	n := 0
	for _, ev := range readEvents(t, k) {
		if ev.Survey == "default" && ev.Location == "clinic-1" && *ev.Answers.NPS == 10 && ev.Answers.Comment == "Спасибо" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d survey events in Kafka, want 1", n)
	}
	if code, body := get(browser, page+"/qr.png"); code != 200 || !strings.HasPrefix(body, "\x89PNG") {
		t.Errorf("qr.png: %d", code)
	}
	if code, _ := get(browser, e.url+"/s/nowhere/default"); code != 404 {
		t.Errorf("unknown location: %d", code)
	}
}

var nonceField = regexp.MustCompile(`name="nonce" value="([^"]+)"`)

// withNonce loads the survey page with c, as a browser does before posting, and adds the page's nonce to v.
func withNonce(t testing.TB, c *http.Client, page string, v url.Values) url.Values {
	t.Helper()
	resp, err := c.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := nonceField.FindSubmatch(b)
	if m == nil {
		t.Fatalf("no nonce on %s (%d)", page, resp.StatusCode)
	}
	out := url.Values{}
	for k, vs := range v {
		out[k] = vs
	}
	out.Set("nonce", string(m[1]))
	return out
}
