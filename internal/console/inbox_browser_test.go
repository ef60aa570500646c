package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cxm-project/cxm/ingest"
	"github.com/cxm-project/cxm/internal/api"
	"github.com/cxm-project/cxm/internal/auth"
	"github.com/cxm-project/cxm/internal/cases"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/console"
	"github.com/cxm-project/cxm/internal/httpserver"
	"github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/internal/testutil/browser"
	"github.com/cxm-project/cxm/processor"
)

const (
	tokTerminal = "inbox-test-terminal-token"
	tokManager1 = "inbox-test-manager-store-1"
	tokManager2 = "inbox-test-manager-store-2"
)

// loopStack is the whole pipeline in one process, as `cxm run` has it: the ingest (events API, QR pages,
// case actions), Kafka (kfake), the processor, the case rule engine, ClickHouse, and the read API with the
// console, on one listener.
func loopStack(t *testing.T) string {
	t.Helper()
	kc := testutil.Kafka(t)
	chconn, chcfg := testutil.ClickHouse(t)
	cfg, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Kafka, cfg.ClickHouse = kc, chcfg
	cfg.Kafka.Consumer.MaxWait = 100 * time.Millisecond
	cfg.Kafka.Consumer.SessionTimeout = 6 * time.Second
	cfg.Kafka.Consumer.HeartbeatInterval = time.Second
	cfg.Kafka.Consumer.JoinGroupBackoff = 200 * time.Millisecond
	cfg.Processor.FlushInterval = 200 * time.Millisecond
	cfg.Locations = []config.Location{
		{ID: "store-1", Name: "Tverskaya 7", Region: "central", TimeZone: "Europe/Moscow", Latitude: 55.76, Longitude: 37.6},
		{ID: "store-2", Name: "Nevsky 20", Region: "northwest", TimeZone: "Europe/Moscow", Latitude: 59.93, Longitude: 30.33},
	}
	cfg.Ingest.Tokens = []config.IngestToken{{Name: "terminal", Hash: auth.Hash(tokTerminal), All: true}}
	cfg.API.Tokens = []config.APIToken{
		{Name: "manager-store-1", Hash: api.HashToken(tokManager1), Locations: []string{"store-1"}},
		{Name: "manager-store-2", Hash: api.HashToken(tokManager2), Locations: []string{"store-2"}},
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithCancel(context.Background())
	srv := httpserver.New(log, prometheus.NewRegistry())
	ing, err := ingest.New(ctx, cfg, log, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	ing.Mount(srv)
	api.New(cfg, chconn, log, prometheus.NewRegistry()).Routes(srv.Mux)
	c, err := console.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.Routes(srv.Mux)
	proc, err := processor.New(cfg, log, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	engine := cases.NewEngine(cfg, log, prometheus.NewRegistry())
	done := make(chan struct{}, 2)
	go func() { _ = proc.Run(ctx); done <- struct{}{} }()
	go func() { _ = engine.Run(ctx); done <- struct{}{} }()
	hs := httptest.NewServer(srv.Mux)
	t.Cleanup(func() {
		hs.Close()
		_ = ing.Close()
		cancel()
		<-done
		<-done
	})
	return hs.URL
}

// TestInboxEndToEnd: a bad press at a terminal and a complaint left on the store's QR page (in Russian,
// on a phone) open one case; the store's manager sees it in the inbox with its SLA clock, is refused a
// resolve without a root cause, qualifies and resolves it on a phone, and the inbox's figures and the
// root-cause Pareto move. The other store's manager never sees it. Screenshots: ru and en, 390 px and
// desktop, in test-artifacts.
func TestInboxEndToEnd(t *testing.T) {
	base := loopStack(t)
	dir := browser.Artifacts(t)
	ctx, cancel := context.WithTimeout(browser.New(t, 1440, 1000), 10*time.Minute) // a bound, not a measure
	defer cancel()
	shot := func(name string) act {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			buf, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, name), buf, 0o644)
		})
	}
	do := func(what string, steps ...act) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			_ = chromedp.Do(sctx, shot("inbox-failure.png"))
			t.Fatalf("%s: %v (page in test-artifacts/inbox-failure.png)", what, err)
		}
	}

	// The bad press: the terminal's lowest smiley.
	press := `{"id":"term-1:` + time.Now().UTC().Format(time.RFC3339Nano) + `","type":"button","location":"store-1","device":"term-1","time":"` +
		time.Now().UTC().Format(time.RFC3339) + `","kind":"smiley","value":1,"scale":5}`
	req, _ := http.NewRequest("POST", base+"/v1/events", bytes.NewReader([]byte(press)))
	req.Header.Set("Authorization", "Bearer "+tokTerminal)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("press: %v %v", err, res)
	}
	res.Body.Close()

	// The complaint, from the QR survey page's "leave a message" link, in Russian on a phone.
	do("complaint on the QR page",
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(base+"/s/store-1/default?lang=ru"),
		chromedp.WaitVisible(css("#leave-message")),
		chromedp.Click(css("#leave-message")),
		chromedp.WaitVisible(css("#text")),
		chromedp.Click(css(`label:has(#kind-complaint)`)),
		chromedp.SendKeys(css("#text"), "Касса одна, очередь 20 минут, кассир нагрубил"),
		chromedp.SendKeys(css("#contact"), "+7 900 000-00-00"),
		chromedp.Click(css("#consent")),
		shot("message-ru-390.png"),
		chromedp.Click(css("#send")),
		chromedp.WaitVisible(css("#done")),
		shot("message-done-ru-390.png"),
	)

	// The manager's inbox, on a desktop in English: the case arrives within seconds (the page polls).
	do("inbox",
		chromedp.EmulateViewport(1440, 1000),
		chromedp.Navigate(base+"/console/?lang=en#token="+tokManager1),
		chromedp.WaitVisible(css(`#board`)), // signed in and the first poll done
		chromedp.Click(css(`a[href="#/inbox"]`)),
		waitJS(`document.querySelectorAll('#cases .case').length === 1`),
		waitJS(`(document.querySelector('[data-fig="open"] .fig-v') || {}).textContent === '1'`),
		shot("inbox-en-1440.png"),
	)
	words := eval[string](t, ctx, `document.querySelector('#cases .case .case-words').textContent`)
	if !strings.Contains(words, "очередь 20 минут") {
		t.Errorf("the inbox card shows %q, not the customer's words", words)
	}
	if clock := eval[string](t, ctx, `document.querySelector('#cases .case .clock').textContent`); !regexp.MustCompile(`^Due in 2[34] h`).MatchString(clock) {
		t.Errorf("SLA clock %q, want the 24 h SLA counting down", clock)
	}
	// The other store's manager does not see it.
	var other struct{ Cases []any }
	if err := json.Unmarshal(apiGet(t, base, tokManager2, "/v1/cases?from=now-1d&to=now%2B1d"), &other); err != nil || len(other.Cases) != 0 {
		t.Errorf("store-2's manager sees %v (%v)", other.Cases, err)
	}

	// Qualify and resolve on a phone, in Russian.
	do("open the case on a phone",
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(base+"/console/?lang=ru#/inbox"),
		waitJS(`document.querySelectorAll('#cases .case').length === 1`),
		shot("inbox-ru-390.png"),
		chromedp.Click(css(`#cases .case a`)),
		chromedp.WaitVisible(css("#checklist")),
		waitJS(`(document.querySelector('#case-text') || {textContent: ''}).textContent.includes('кассир нагрубил')`),
		waitJS(`(document.querySelector('#case-contact') || {}).textContent === '+7 900 000-00-00'`),
	)
	do("a resolve without root cause is refused, naming the field",
		chromedp.Click(css(`#cl-contacted-yes`)),
		chromedp.Click(css(`#cl-justified-yes`)),
		chromedp.Click(css(`#cl-recovered-no`)),
		chromedp.Click(css("#do-resolve")),
		waitJS(`document.querySelector('#case-error').textContent.includes('case.causes')`),
	)
	do("assign, qualify and resolve",
		chromedp.SendKeys(css("#assignee"), "Anna"),
		chromedp.Click(css("#do-assign")),
		waitJS(`[...document.querySelectorAll('#history li')].some(li => li.dataset.action === 'assign')`),
		chromedp.Click(css(`#cl-contacted-yes`)),
		chromedp.Click(css(`#cl-justified-yes`)),
		chromedp.Click(css(`#cl-recovered-no`)),
		chromedp.Click(css(`#cause-process-queue`)),
		chromedp.Click(css(`#cause-staff-politeness`)),
		shot("case-ru-390.png"),
		chromedp.Click(css("#do-resolve")),
		waitJS(`[...document.querySelectorAll('#history li')].some(li => li.dataset.action === 'resolve')`),
		waitJS(`document.querySelector('#do-reopen') !== null`),
		shot("case-resolved-ru-390.png"),
		chromedp.EmulateViewport(1440, 1000),
		chromedp.Click(css(`.lang button[lang="en"]`)),
		waitJS(`(document.querySelector('#case h1 .cbadge') || {}).textContent === 'Resolved'`),
		shot("case-resolved-en-1440.png"),
	)

	// The figures moved: nothing open, one resolved within the SLA, both causes in the Pareto.
	do("figures",
		chromedp.EmulateViewport(1440, 1000),
		chromedp.Navigate(base+"/console/?lang=en#/inbox"),
		chromedp.WaitVisible(css("#case-status")),
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#case-status'); s.value = 'resolved'; s.dispatchEvent(new Event('change')); })()`),
		waitJS(`(document.querySelector('#cases .case .cbadge') || {}).textContent === 'Resolved'`),
		waitJS(`(document.querySelector('[data-fig="open"] .fig-v') || {}).textContent === '0'`),
		waitJS(`(document.querySelector('[data-fig="in_sla"] .fig-v') || {}).textContent === '100 %'`),
		waitJS(`document.querySelectorAll('#pareto li').length === 2`),
		shot("inbox-resolved-en-1440.png"),
	)
	var figs struct {
		Figures []struct {
			Components struct {
				Opened, Open, Resolved int64
				ResolvedInSLA          int64 `json:"resolved_in_sla"`
			} `json:"components"`
		}
	}
	if err := json.Unmarshal(apiGet(t, base, tokManager1, "/v1/cases/figures?from=now-1d&to=now%2B1d"), &figs); err != nil {
		t.Fatal(err)
	}
	if c := figs.Figures[0].Components; c.Opened != 1 || c.Open != 0 || c.Resolved != 1 || c.ResolvedInSLA != 1 {
		t.Errorf("figures after resolving: %+v, want 1 opened, 0 open, 1 resolved within SLA", c)
	}
}
