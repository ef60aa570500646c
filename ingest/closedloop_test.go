package ingest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/cxm-project/cxm/internal/auth"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	cxmtest "github.com/cxm-project/cxm/internal/testutil"
)

// TestMessagePage: the survey page links to "leave a message"; the form refuses a contact without
// consent and a missing kind, keeps the contact only with consent, and Kafka holds exactly the accepted
// messages.
func TestMessagePage(t *testing.T) {
	k := cxmtest.Kafka(t)
	e := start(t, k, nil)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(e.url + "/s/shop-1/default?lang=ru")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `href="/m/shop-1?lang=ru"`) {
		t.Fatalf("the survey page does not link to the message page")
	}
	page := e.url + "/m/shop-1"
	post := func(v url.Values) (int, string) {
		resp, err := c.PostForm(page+"?lang=en", withNonce(t, c, page, v))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, tc := range []struct {
		name string
		form url.Values
		code int
		text string
	}{
		{"no kind", url.Values{"text": {"hi"}}, 400, "Choose"},
		{"no text", url.Values{"kind": {"thanks"}}, 400, "write your message"},
		{"contact without consent", url.Values{"kind": {"complaint"}, "text": {"rude"}, "contact": {"+7 900"}}, 400, "tick the consent"},
		{"complaint with consent", url.Values{"kind": {"complaint"}, "text": {"Очередь 20 минут"}, "contact": {"a@b.c"}, "consent": {"yes"}}, 200, "look into it"},
		{"thanks, consent without contact", url.Values{"kind": {"thanks"}, "text": {"great"}, "consent": {"yes"}}, 200, "received"},
	} {
		if code, body := post(tc.form); code != tc.code || !strings.Contains(body, tc.text) {
			t.Errorf("%s: %d, want %d ~%q", tc.name, code, tc.code, tc.text)
		}
	}
	if code, _ := post(nil); code != 400 {
		t.Errorf("empty form accepted")
	}
	if resp, _ := c.Get(e.url + "/m/nowhere"); resp.StatusCode != 404 {
		t.Errorf("unknown location: %d", resp.StatusCode)
	}
	var got []event.Event
	for _, ev := range readEvents(t, k) {
		if ev.Type == event.TypeMessage {
			got = append(got, ev)
		}
	}
	if len(got) != 2 {
		t.Fatalf("%d messages in Kafka, want 2", len(got))
	}
	for _, m := range got {
		switch m.Kind {
		case "complaint":
			if m.Message.Text != "Очередь 20 минут" || m.Message.Contact != "a@b.c" || !m.Message.Consent || m.Location != "shop-1" {
				t.Errorf("complaint %+v", m.Message)
			}
		case "thanks":
			if m.Message.Contact != "" || m.Message.Consent {
				t.Errorf("thanks stored consent without a contact: %+v", m.Message)
			}
		}
	}
}

// TestCaseActions: a manager's read token acts on its own location's cases only; a resolve without its
// checklist or root cause is refused naming the field; an accepted action is a case event in Kafka with
// the token's name as actor; a retried action is a duplicate.
func TestCaseActions(t *testing.T) {
	k := cxmtest.Kafka(t)
	e := start(t, k, func(c *config.Config) {
		c.API.Tokens = []config.APIToken{{Name: "manager-shop1", Hash: auth.Hash("read-shop1-token-000000000000"), Locations: []string{"shop-1"}}}
	})
	act := func(token, caseID string, body map[string]any) (int, map[string]any) {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", e.url+"/v1/cases/"+caseID+"/actions", bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	const tok = "read-shop1-token-000000000000"
	full := map[string]bool{"contacted": true, "justified": true, "recovered": false}
	for _, tc := range []struct {
		name  string
		token string
		body  map[string]any
		code  int
		field string
	}{
		{"write token is not a manager", tokenAll, map[string]any{"action_id": "a0", "location": "shop-1", "action": "comment", "note": "x"}, 401, ""},
		{"other location", tok, map[string]any{"action_id": "a1", "location": "shop-2", "action": "comment", "note": "x"}, 403, "location"},
		{"resolve without causes", tok, map[string]any{"action_id": "a2", "location": "shop-1", "action": "resolve", "source": "message", "checklist": full}, 400, "case.causes"},
		{"resolve with a checklist item missing", tok, map[string]any{"action_id": "a3", "location": "shop-1", "action": "resolve", "source": "message",
			"checklist": map[string]bool{"contacted": true}, "causes": []string{"process.queue"}}, 400, "case.checklist"},
		{"open from the inbox", tok, map[string]any{"action_id": "a4", "location": "shop-1", "action": "open"}, 400, "action"},
		{"assign", tok, map[string]any{"action_id": "a5", "location": "shop-1", "action": "assign", "assignee": "ann"}, 200, ""},
		{"resolve", tok, map[string]any{"action_id": "a6", "location": "shop-1", "action": "resolve", "source": "message", "checklist": full, "causes": []string{"process.queue"}}, 200, ""},
	} {
		code, out := act(tc.token, "case-1", tc.body)
		if code != tc.code {
			t.Errorf("%s: %d %v, want %d", tc.name, code, out, tc.code)
			continue
		}
		if tc.field != "" {
			errs, _ := out["errors"].([]any)
			if len(errs) == 0 || errs[0].(map[string]any)["field"] != tc.field {
				t.Errorf("%s: errors %v, want one on %s", tc.name, out, tc.field)
			}
		}
	}
	if code, out := act(tok, "case-1", map[string]any{"action_id": "a6", "location": "shop-1", "action": "resolve", "source": "message", "checklist": full, "causes": []string{"process.queue"}}); code != 200 || out["status"] != "duplicate" {
		t.Errorf("retry: %d %v, want a duplicate", code, out)
	}
	var actions []string
	for _, ev := range readEvents(t, k) {
		if ev.Type == event.TypeCase {
			actions = append(actions, ev.Case.Action)
			if ev.Case.Actor != "manager-shop1" || ev.Case.ID != "case-1" || ev.Device != "inbox" {
				t.Errorf("case event %+v", ev.Case)
			}
		}
	}
	if len(actions) != 2 {
		t.Errorf("case events in Kafka: %v, want assign and resolve", actions)
	}
}
