// Package hostile_test is the hostile-input suite: a running stack (ingest, processor, read API on the
// production handler chain, kfake, ClickHouse) gets a baseline of legitimate data, then every kind of bad
// or hostile request below, each with the status and error it must get. Afterwards every KPI component in
// ClickHouse is what the baseline made it, every baseline event is still there, and what the survey guard
// flagged is in the raw table and the export with its reason.
package hostile_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

type attack struct {
	name string
	run  func(t *testing.T) (int, string)
	code int    // expected status; 0: the connection is closed without an answer
	text string // expected in the answer (an error naming the field or limit)
}

func TestHostileInputs(t *testing.T) {
	s := startStack(t)
	at := time.Now().UTC().Add(-2 * time.Minute).Truncate(time.Minute)
	ts := at.Format(time.RFC3339)
	auth := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }
	post := func(tok, ctype string, body []byte, extra ...string) func(*testing.T) (int, string) {
		return func(t *testing.T) (int, string) {
			h := append(auth(tok), append([]string{"Content-Type", ctype}, extra...)...)
			return s.do(t, nil, "POST", "/v1/events", bytes.NewReader(body), h...)
		}
	}
	ev := func(id, loc, rest string) string {
		return `{"id":"` + id + `","type":"button","location":"` + loc + `","device":"d-` + id + `","time":"` + ts + `",` + rest + `}`
	}
	smiley := func(id, loc string) string { return ev(id, loc, `"kind":"smiley","value":4,"scale":5`) }

	// Baseline: legitimate data through every door.
	var baseline []string
	var nd strings.Builder
	for i := range 12 {
		id := "base-" + strconv.Itoa(i)
		loc := []string{"shop-1", "shop-2", "clinic-1"}[i%3]
		nd.WriteString(smiley(id, loc) + "\n")
		baseline = append(baseline, id)
	}
	nd.WriteString(`{"id":"base-pos","type":"pos","location":"shop-1","time":"` + ts + `","receipt":"R-1","amount":"12.50","items":2,"seller":"@SUM(1+1)"}` + "\n")
	nd.WriteString(`{"id":"base-cnt","type":"counter","location":"shop-1","device":"door","time":"` + ts + `","in":40,"out":38}` + "\n")
	nd.WriteString(`{"id":"base-formula","type":"survey","location":"shop-1","time":"` + ts + `","survey":"default","answers":{"nps":3,"comment":"=HYPERLINK(\"http://evil.example\",\"click\")"}}` + "\n")
	baseline = append(baseline, "base-pos", "base-cnt", "base-formula")
	if code, body := post(writeAll, "application/x-ndjson", []byte(nd.String()))(t); code != 200 || !strings.Contains(body, `"accepted":15`) {
		t.Fatalf("baseline events: %d %s", code, body)
	}
	// Survey answers: A1 and A2 fill shop-2's burst window, C1 and C2 clinic-1's.
	a1 := newBrowser("203.0.113.1")
	var usedNonce string
	for _, b := range []struct {
		br  *browser
		loc string
	}{{a1, "shop-2"}, {newBrowser("203.0.113.2"), "shop-2"}, {newBrowser("203.0.113.3"), "clinic-1"}, {newBrowser("203.0.113.4"), "clinic-1"}} {
		code, body, n := s.answer(t, b.br, b.loc, 9, "")
		if code != 200 || !strings.Contains(body, "Thank you") {
			t.Fatalf("baseline survey answer at %s: %d", b.loc, code)
		}
		if usedNonce == "" {
			usedNonce = n
		}
	}
	before := s.settle(t)
	for id, m := range before {
		if m != "" {
			t.Fatalf("baseline event %s flagged %q", id, m)
		}
	}
	for _, id := range baseline {
		if _, ok := before[id]; !ok {
			t.Fatalf("baseline event %s not in ClickHouse", id)
		}
	}
	figures := s.figures(t)
	kpiQuery := "/v1/kpis?kpi=nps,csat,ces,smile_index,visitors,receipts,revenue&location=shop-1,shop-2,clinic-1&from=" +
		url.QueryEscape(at.Add(-time.Hour).Format(time.RFC3339)) + "&to=" + url.QueryEscape(at.Add(time.Hour).Format(time.RFC3339))
	code, kpisBefore := s.do(t, nil, "GET", kpiQuery, nil, auth(readAll)...)
	if code != 200 {
		t.Fatalf("kpis: %d %s", code, kpisBefore)
	}

	bigEvents := func(n int, loc string) []byte {
		var b strings.Builder
		for i := range n {
			b.WriteString(smiley("flood-"+strconv.Itoa(i), loc) + "\n")
		}
		return []byte(b.String())
	}
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(b)
		_ = zw.Close()
		return buf.Bytes()
	}
	bomb := gz(bytes.Repeat([]byte(" "), 64<<20)) // 64 MiB of spaces in ~64 KiB
	deep := `{"id":"deep","type":"button","location":"shop-1","time":"` + ts + `","kind":"consultation","ext":` +
		strings.Repeat(`{"a":`, 200) + "1" + strings.Repeat("}", 200) + `}`
	padding := `"ext":{"pad":"` + strings.Repeat("x", 9<<10) + `"}`
	// raw speaks HTTP/1.1 on a socket: for requests a client library would not send.
	raw := func(head string, body []byte, stall time.Duration) func(*testing.T) (int, string) {
		return func(t *testing.T) (int, string) {
			c, err := net.Dial("tcp", s.host)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_, _ = io.WriteString(c, head)
			_, _ = c.Write(body)
			if stall > 0 {
				time.Sleep(stall)
			}
			_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				return 0, "closed: " + err.Error()
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			return resp.StatusCode, string(b)
		}
	}
	reqHead := func(method, path, tok string, contentLength int, extra string) string {
		return method + " " + path + " HTTP/1.1\r\nHost: " + s.host + "\r\nAuthorization: Bearer " + tok +
			"\r\nContent-Type: application/x-ndjson\r\nContent-Length: " + strconv.Itoa(contentLength) + "\r\n" + extra + "\r\n"
	}
	survey := func(b *browser, loc string, v url.Values, header ...string) func(*testing.T) (int, string) {
		return func(t *testing.T) (int, string) { return s.postSurvey(t, b, loc, v, header...) }
	}
	withNonce := func(b *browser, loc string, v url.Values) func(*testing.T) (int, string) {
		return func(t *testing.T) (int, string) {
			v.Set("nonce", s.page(t, b, loc))
			return s.postSurvey(t, b, loc, v)
		}
	}
	answerAs := func(b *browser, loc string) func(*testing.T) (int, string) {
		return func(t *testing.T) (int, string) {
			code, body, _ := s.answer(t, b, loc, 0, "flood")
			return code, body
		}
	}
	flood := func(n int, each func(i int) func(*testing.T) (int, string)) func(*testing.T) (int, string) {
		return func(t *testing.T) (int, string) {
			counts := map[int]int{}
			for i := range n {
				c, _ := each(i)(t)
				counts[c]++
			}
			return 200, fmt.Sprint(counts)
		}
	}
	good := url.Values{"nps": {"0"}, "csat": {"1"}, "ces": {"1"}}
	assess := s.assessment(t)
	get := func(tok, path string) func(*testing.T) (int, string) {
		return func(t *testing.T) (int, string) { return s.do(t, nil, "GET", path, nil, auth(tok)...) }
	}
	rng := "&from=" + url.QueryEscape(at.Add(-time.Hour).Format(time.RFC3339)) + "&to=" + url.QueryEscape(at.Add(time.Hour).Format(time.RFC3339))
	farFuture := time.Now().AddDate(1, 0, 0).UTC().Format(time.RFC3339)

	attacks := []attack{
		// The event API: bodies.
		{"malformed JSON", post(writeAll, "application/json", []byte(`{"id":"x","type":`)), 200, `"rejected":1`},
		{"broken array frame", post(writeAll, "application/json", []byte(`[`+smiley("arr-1", "shop-1")+`,`)), 400, "not closed"},
		{"empty body", post(writeAll, "application/json", nil), 400, "no events"},
		{"body announced over max_body_bytes, refused before it is sent", raw(reqHead("POST", "/v1/events", writeAll, 10<<20, ""), nil, 0), 413, "max_body_bytes"},
		{"oversized chunked body", post(writeAll, "application/x-ndjson", bytes.Repeat([]byte(" "), 300<<10), "Transfer-Encoding", "chunked"), 413, "max_body_bytes"},
		{"gzip bomb", post(writeAll, "application/x-ndjson", bomb, "Content-Encoding", "gzip"), 413, "after gunzip"},
		{"gzip header lies", post(writeAll, "application/x-ndjson", []byte("not gzip at all"), "Content-Encoding", "gzip"), 400, "gzip"},
		{"unsupported encoding", post(writeAll, "application/x-ndjson", []byte("x"), "Content-Encoding", "br"), 415, "not supported"},
		{"deep nesting", post(writeAll, "application/json", []byte(deep)), 200, "nesting deeper than"},
		{"invalid UTF-8", post(writeAll, "application/json", []byte(ev("utf8", "shop-1", "\"kind\":\"like\",\"subject\":\"\xff\xfe\""))), 200, `"rejected":1`},
		{"NUL byte in the id", post(writeAll, "application/json", []byte(`{"id":"nul\u0000id","type":"button","location":"shop-1","time":"`+ts+`","kind":"consultation"}`)), 200, `"rejected":1`},
		{"huge number", post(writeAll, "application/json", []byte(`{"id":"huge","type":"counter","location":"shop-1","time":"`+ts+`","in":1e400,"out":0}`)), 200, `"field":"in"`},
		{"negative count", post(writeAll, "application/json", []byte(`{"id":"neg","type":"counter","location":"shop-1","time":"`+ts+`","in":-5,"out":0}`)), 200, `"field":"in"`},
		{"float money", post(writeAll, "application/json", []byte(`{"id":"fl","type":"pos","location":"shop-1","time":"`+ts+`","receipt":"R","amount":12.345,"items":1}`)), 200, `"field":"amount"`},
		{"unknown field", post(writeAll, "application/json", []byte(ev("unk", "shop-1", `"kind":"consultation","admin":true`))), 200, `"field":"admin"`},
		{"SQL in the location", post(writeAll, "application/json", []byte(smiley("sql", "shop-1' OR '1'='1"))), 200, `"field":"location"`},
		{"unregistered location", post(writeAll, "application/json", []byte(smiley("nowhere", "nowhere"))), 200, "unknown location"},
		{"event from the future", post(writeAll, "application/json", []byte(strings.Replace(smiley("fut", "shop-1"), ts, farFuture, 1))), 200, `"field":"time"`},
		{"event from 1999", post(writeAll, "application/json", []byte(strings.Replace(smiley("old", "shop-1"), ts, "1999-01-01T00:00:00Z", 1))), 200, `"field":"time"`},
		{"event over max_event_bytes", post(writeAll, "application/json", []byte(ev("pad", "shop-1", `"kind":"consultation",`+padding))), 200, "max_event_bytes"},
		{"more events than max_events", post(writeAll, "application/x-ndjson", bigEvents(101, "nowhere")), 413, "max_events"},
		{"replayed event id", post(writeAll, "application/json", []byte(smiley("base-0", "shop-1"))), 200, `"duplicates":1`},
		// The event API: who may write.
		{"no token", post("", "application/json", []byte(smiley("t1", "shop-1"))), 401, "missing"},
		{"wrong token", post("cxm_not_a_token", "application/json", []byte(smiley("t2", "shop-1"))), 401, "unknown or revoked"},
		{"development token when it is off", post("cxm-dev-token", "application/json", []byte(smiley("t3", "shop-1"))), 401, "unknown or revoked"},
		{"read token used to write", post(readAll, "application/json", []byte(smiley("t4", "shop-1"))), 401, "unknown or revoked"},
		{"cross-location token", post(writeShop1, "application/json", []byte(smiley("t5", "shop-2"))), 403, `may not write location \"shop-2\"`},
		{"event flood over the token's rate", flood(3, func(int) func(*testing.T) (int, string) {
			return post(writeFlood, "application/x-ndjson", bigEvents(100, "nowhere"))
		}), 200, "429:1"},
		{"body bytes over the token's budget, refused before they are sent", func(t *testing.T) (int, string) {
			big := bytes.Repeat([]byte(" "), 250<<10)
			for range 2 {
				if c, b := post(writeBytes, "application/x-ndjson", big)(t); c != 400 {
					t.Fatalf("filling the byte budget: %d %s", c, b)
				}
			}
			return raw(reqHead("POST", "/v1/events", writeBytes, 250<<10, ""), nil, 0)(t)
		}, 429, "bytes_per_second"},
		{"slow body", raw(reqHead("POST", "/v1/events", writeAll, 100, ""), []byte(`{"id":"sl`), 3*time.Second), 408, "http.read_timeout"},
		{"header larger than max_header_bytes", raw("GET /readyz HTTP/1.1\r\nHost: x\r\nX-Big: "+strings.Repeat("a", 16<<10)+"\r\n\r\n", nil, 0), 431, ""},
		{"garbage request line", raw("HELLO\r\n\r\n", nil, 0), 400, ""},
		{"wrong method", func(t *testing.T) (int, string) { return s.do(t, nil, "PUT", "/v1/events", nil, auth(writeAll)...) }, 405, ""},
		// Surveys.
		{"cookie-less flood", flood(20, func(i int) func(*testing.T) (int, string) {
			return func(t *testing.T) (int, string) {
				n := s.page(t, newBrowser("198.51.100.7"), "shop-1")
				return s.postSurvey(t, &browser{c: &http.Client{}, addr: "198.51.100.7"}, "shop-1", url.Values{"nonce": {n}, "nps": {"0"}, "csat": {"1"}, "ces": {"1"}})
			}
		}), 200, "map[400:20]"},
		{"no nonce", survey(newBrowser("198.51.100.8"), "shop-1", good), 400, "not issued by this page"},
		{"forged nonce", survey(newBrowser("198.51.100.8"), "shop-1", url.Values{"nonce": {"AAAA.BBBB"}, "nps": {"0"}, "csat": {"1"}, "ces": {"1"}}), 400, "not issued by this page"},
		{"nonce of another location", func(t *testing.T) (int, string) {
			b := newBrowser("198.51.100.9")
			n := s.page(t, b, "shop-2")
			return s.postSurvey(t, b, "shop-1", url.Values{"nonce": {n}, "nps": {"0"}, "csat": {"1"}, "ces": {"1"}})
		}, 400, "not issued by this page"},
		{"replayed nonce", survey(a1, "shop-2", url.Values{"nonce": {usedNonce}, "nps": {"0"}, "csat": {"1"}, "ces": {"1"}}), 409, "already sent"},
		{"second answer of one browser", answerAs(a1, "shop-2"), 429, "already answered"},
		{"CSRF from another origin", survey(newBrowser("198.51.100.10"), "shop-1", good, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"), 403, "cross-origin"},
		{"NPS out of range", withNonce(newBrowser("198.51.100.11"), "shop-1", url.Values{"nps": {"11"}, "csat": {"1"}, "ces": {"1"}}), 400, "answer every rating"},
		{"comment over 4000 characters", withNonce(newBrowser("198.51.100.12"), "shop-1", url.Values{"nps": {"0"}, "csat": {"1"}, "ces": {"1"}, "comment": {strings.Repeat("ж", 4001)}}), 400, "longer than 4000"},
		{"survey form over 32 KiB", withNonce(newBrowser("198.51.100.13"), "shop-1", url.Values{"nps": {"0"}, "x": {strings.Repeat("a", 40<<10)}}), 400, "bad form"},
		{"answers over the address limit", answerAs(newBrowser("203.0.113.1"), "shop-1"), 200, "Thank you"},
		{"spoofed X-Forwarded-For before the real address", answerAs(newBrowser("198.51.100.99, 203.0.113.1"), "shop-1"), 200, "Thank you"},
		{"burst at one location", answerAs(newBrowser("203.0.113.50"), "shop-2"), 200, "Thank you"},
		{"rotating addresses at one location", flood(5, func(i int) func(*testing.T) (int, string) {
			return answerAs(newBrowser("203.0.113."+strconv.Itoa(60+i)), "clinic-1")
		}), 200, "map[200:5]"},
		{"path traversal in the survey URL", func(t *testing.T) (int, string) {
			return s.do(t, nil, "GET", "/s/shop-1%2F..%2F..%2Fetc/default", nil)
		}, 404, "no such survey"},
		// The assessment.
		{"assessment: 50,000-character name", assess(url.Values{"step": {"11"}, "name": {strings.Repeat("A", 50000)}}, nil), 400, "name is too long"},
		{"assessment: script as the e-mail", assess(url.Values{"step": {"0"}, "email": {"<script>alert(1)</script>"}, "consent": {"yes"}}, nil), 400, "check the e-mail"},
		{"assessment: level 5", assess(url.Values{"step": {"1"}, "q1": {"5"}}, nil), 400, "level 1 to 4"},
		{"assessment: step out of range", assess(url.Values{"step": {"99"}}, nil), 400, "step: must be 0..11"},
		{"assessment: forged session", assess(url.Values{"step": {"0"}, "sid": {"0123456789abcdef0123456789abcdef"}, "csrf": {"forged"}}, nil), 403, "session expired"},
		{"assessment: CSRF from another origin", assess(url.Values{"step": {"0"}}, []string{"Origin", "https://evil.example"}), 403, "cross-origin"},
		{"assessment: unknown location", func(t *testing.T) (int, string) { return s.do(t, nil, "GET", "/assessment/nowhere", nil) }, 404, "unknown location"},
		// The read API.
		{"write token used to read", get(writeAll, "/v1/status"), 401, "unknown or revoked"},
		{"cross-location read", get(readShop1, "/v1/kpis?kpi=nps&location=shop-2"+rng), 403, "shop-2"},
		{"SQL-looking parameter", get(readAll, "/v1/kpis?kpi=nps&location="+url.QueryEscape("shop-1' OR '1'='1")+rng), 400, "location"},
		{"unknown parameter", get(readAll, "/v1/kpis?kpi=nps&locations=shop-1"+rng), 400, "unknown parameter"},
		{"range over api.max_range", get(readAll, "/v1/kpis?kpi=nps&location=shop-1&from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z"), 400, "api.max_range"},
		{"points over api.max_points", get(readAll, "/v1/kpis?kpi=nps&location=shop-1&step=1m&from=2026-01-01T00:00:00Z&to=2026-01-31T00:00:00Z"), 400, "api.max_points"},
		{"XLSX over api.max_xlsx_rows", get(readAll, "/v1/events?location=shop-1&format=xlsx"+rng), 400, "api.max_xlsx_rows"},
		{"export over api.max_export_bytes", get(readAll, "/v1/events?location=shop-1,shop-2,clinic-1"+rng), 200, "trailer: truncated at api.max_export_bytes"},
		{"formula cells in a CSV export", get(readAll, "/v1/events?location=shop-1&type=survey,pos&format=csv"+rng), 200, `"'=HYPERLINK(`},
		{"request flood over the read token's rate", flood(250, func(int) func(*testing.T) (int, string) {
			return get(readFlood, "/v1/locations")
		}), 200, "429:"},
	}
	kinds := map[string]bool{}
	for _, a := range attacks {
		if kinds[a.name] {
			t.Fatalf("attack %q listed twice", a.name)
		}
		kinds[a.name] = true
		code, body := a.run(t)
		ok := code == a.code && strings.Contains(body, a.text)
		if !ok {
			t.Errorf("%s: %d %.300q; want %d with %q", a.name, code, body, a.code, a.text)
		}
		t.Logf("attack %-62s -> %d %.120q", a.name, code, firstLine(body))
	}
	if len(kinds) < 40 {
		t.Errorf("%d kinds of attack, want at least 40", len(kinds))
	}
	t.Logf("%d kinds of hostile request", len(kinds))

	after := s.settle(t)
	for _, id := range baseline {
		if _, ok := after[id]; !ok {
			t.Errorf("baseline event %s is gone", id)
		}
	}
	reasons := map[string]int{}
	for id, m := range after {
		if _, was := before[id]; !was {
			if m == "" {
				t.Errorf("event %s was accepted unflagged during the attacks", id)
			}
			reasons[m]++
		}
	}
	for _, r := range []string{"address_limit", "burst", "location_limit"} {
		if reasons[r] == 0 {
			t.Errorf("no answer flagged %s; flagged: %v", r, reasons)
		}
	}
	t.Logf("flagged survey answers kept in the raw table: %v", reasons)
	if got := s.figures(t); !reflect.DeepEqual(got, figures) {
		t.Errorf("figures changed:\nbefore %v\nafter  %v", figures, got)
	}
	if code, kpisAfter := s.do(t, nil, "GET", kpiQuery, nil, auth(readAll)...); code != 200 || kpisAfter != kpisBefore {
		t.Errorf("KPIs changed: %d\nbefore %s\nafter  %s", code, kpisBefore, kpisAfter)
	}
	_, csv := s.do(t, nil, "GET", "/v1/events?location=clinic-1&type=survey&format=csv"+rng, nil, auth(readAll)...)
	if !strings.Contains(csv, ",location_limit") || !strings.Contains(csv, ",burst") {
		t.Errorf("the export does not show the misuse reasons:\n%s", csv)
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

var csrfRE = regexp.MustCompile(`name="(sid|csrf)" value="([^"]+)"`)

// assessment returns a request maker for /assessment: a browser that loaded the first page posts the form
// with its session, v overriding the fields.
func (s *stack) assessment(t *testing.T) func(v url.Values, header []string) func(*testing.T) (int, string) {
	return func(v url.Values, header []string) func(*testing.T) (int, string) {
		return func(t *testing.T) (int, string) {
			b := newBrowser("192.0.2.1")
			code, page := s.do(t, b.c, "GET", "/assessment?lang=en", nil)
			if code != 200 {
				t.Fatalf("assessment page: %d", code)
			}
			form := url.Values{"lang": {"en"}, "nav": {"next"}}
			for _, m := range csrfRE.FindAllStringSubmatch(page, -1) {
				form.Set(m[1], m[2])
			}
			for k, vs := range v {
				form[k] = vs
			}
			h := append([]string{"Content-Type", "application/x-www-form-urlencoded"}, header...)
			return s.do(t, b.c, "POST", "/assessment", strings.NewReader(form.Encode()), h...)
		}
	}
}
