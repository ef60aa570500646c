package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cxm-project/cxm/internal/api"
	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/console"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/internal/testutil/browser"
	"github.com/cxm-project/cxm/processor/status"
)

const (
	tokAll  = "console-test-all"
	tokMsk2 = "console-test-msk2"
)

var testLocations = []config.Location{
	{ID: "msk-1", Name: "Moscow 1", Region: "central", TimeZone: "Europe/Moscow", Latitude: 55.75, Longitude: 37.61},
	{ID: "msk-2", Name: "Moscow 2", Region: "central", TimeZone: "Europe/Moscow", Latitude: 55.80, Longitude: 37.50},
	{ID: "kzn-1", Name: "Kazan 1", Region: "volga", TimeZone: "Europe/Moscow", Latitude: 55.79, Longitude: 49.11},
	{ID: "spb-1", Name: "Saint Petersburg 1", Region: "northwest", TimeZone: "Europe/Moscow", Latitude: 59.93, Longitude: 30.33},
}

// stack is the read side as cxm api runs it: the API and the console on one mux over a real ClickHouse
// database, with minute components for the last two hours and statuses written by the real evaluator.
// Per minute: msk-1 NPS −50 (red) and coverage 40 % (yellow); msk-2 coverage 40 % (yellow); kzn-1 all
// green; spb-1 nothing (grey). The tile server answers 404 to everything, as an unreachable one would.
func stack(t *testing.T) (base string, cfg *config.Config) {
	base, cfg, _ = stackWithMail(t)
	return base, cfg
}

// later, set by stackWithMail, turns spb-1 red the way production does: an hour of minutes with NPS −100,
// then an evaluation a minute after the first.
var later func()

// assessment levels of the fixture: a-1 (msk-1, with consent and e-mail) 3,3,3,3,2,2,2,2,4,1,1 = 43 of
// 95, stage 3; a-2 (msk-2, no consent) all 1 = 0, stage 1.
var fixtureAssessments = []struct {
	id, location, ext string
	levels            [11]int
}{
	{"a-1", "msk-1", `{"name":"Ada","email":"ada@example.org","lang":"en","consent":true}`, [11]int{3, 3, 3, 3, 2, 2, 2, 2, 4, 1, 1}},
	{"a-2", "msk-2", `{}`, [11]int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
}

// stackWithMail is stack with two CX maturity assessments and a real SMTP server for the respondent's copy.
func stackWithMail(t *testing.T) (base string, cfg *config.Config, mails func() []console.Received) {
	t.Helper()
	conn, chcfg := testutil.ClickHouse(t)
	cfg, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	tiles := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(tiles.Close)
	cfg.ClickHouse = chcfg
	cfg.Locations = testLocations
	cfg.Console.Tiles = tiles.URL + "/{z}/{x}/{y}.png"
	cfg.Console.Refresh = 2 * time.Second // the live-update check waits for one poll
	mails, smtpAddr := console.StartSMTP(t)
	cfg.Console.SMTP = config.SMTP{Addr: smtpAddr, From: "cxm@example.org", Timeout: 10 * time.Second}
	cfg.API.Tokens = []config.APIToken{
		{Name: "all", Hash: api.HashToken(tokAll), All: true},
		{Name: "msk2", Hash: api.HashToken(tokMsk2), Locations: []string{"msk-2"}},
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}

	now := time.Now().UTC().Truncate(time.Minute)
	var rows []testutil.MinuteRow
	for m := 1; m <= 120; m++ {
		minute := now.Add(-time.Duration(m) * time.Minute)
		rows = append(rows,
			testutil.MinuteRow{Location: "msk-1", Minute: minute, C: kpi.Components{Promoters: 1, Detractors: 3, Visitors: 20, Receipts: 5, Consultations: 8}},
			testutil.MinuteRow{Location: "msk-2", Minute: minute, C: kpi.Components{Promoters: 5, Passives: 1, Visitors: 10, Receipts: 3, Consultations: 4}},
			testutil.MinuteRow{Location: "kzn-1", Minute: minute, C: kpi.Components{Promoters: 5, Visitors: 10, Receipts: 3, Consultations: 6}})
	}
	testutil.InsertMinutes(t, conn, chcfg.Database, rows...)
	ctx := context.Background()
	for i, c := range []string{"Long queue at the checkout", "Friendly seller"} {
		at := now.Add(-time.Duration(5+i) * time.Minute).Format("2006-01-02 15:04:05")
		if err := conn.Exec(ctx, fmt.Sprintf(`INSERT INTO %s.events (id, type, location, device, time, survey, nps, comment, received)
SELECT 'sv-%d', 'survey', 'msk-1', 'qr', toDateTime('%s', 'UTC'), 'default', toUInt8(%d), '%s', toDateTime('%s', 'UTC') FROM numbers(1)`,
			clickhouse.Ident(chcfg.Database), i, at, 2+7*i, c, at)); err != nil {
			t.Fatal(err)
		}
	}
	for i, a := range fixtureAssessments {
		at := now.Add(-time.Duration(30+i) * time.Minute).Format("2006-01-02 15:04:05")
		var qs []string
		for _, l := range a.levels {
			qs = append(qs, strconv.Itoa(l))
		}
		if err := conn.Exec(ctx, fmt.Sprintf(`INSERT INTO %s.events (id, type, location, device, time, survey, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, ext, received)
SELECT '%s', 'survey', '%s', 'web', toDateTime('%s', 'UTC'), 'cx-maturity', %s, '%s', toDateTime('%s', 'UTC') FROM numbers(1)`,
			clickhouse.Ident(chcfg.Database), a.id, a.location, at, strings.Join(qs, ", "), a.ext, at)); err != nil {
			t.Fatal(err)
		}
	}
	// Cases of msk-1 for the case KPIs' widgets: three resolved after 90 minutes and one open for 30 h
	// (overdue): 4 opened, 1 open and overdue (yellow), 1.5 h to act and resolve, 100 % in SLA (green).
	var cases []clickhouse.EventRow
	for i, ago := range []time.Duration{10, 20, 28, 30} {
		opened := now.Add(-ago * time.Hour)
		id := fmt.Sprintf("k%d", i)
		open := event.Case{ID: id, Action: "open", Rule: "complaint", Source: "message", Trigger: "m-" + id}
		cases = append(cases, clickhouse.EventRow{Event: event.Event{ID: id + ":open", Type: event.TypeCase, Location: "msk-1", Time: opened, Case: &open}, Received: opened})
		if i < 3 {
			at := opened.Add(90 * time.Minute)
			r := event.Case{ID: id, Action: "resolve", Source: "message", Checklist: map[string]bool{"contacted": true}, Causes: []string{"process.queue"}}
			cases = append(cases, clickhouse.EventRow{Event: event.Event{ID: id + ":r", Type: event.TypeCase, Location: "msk-1", Time: at, Case: &r}, Received: at})
		}
	}
	if err := clickhouse.InsertEvents(ctx, conn, chcfg.Database, cases); err != nil {
		t.Fatal(err)
	}
	ev := status.New(cfg, conn, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	if err := ev.EvaluateAt(ctx, now); err != nil {
		t.Fatal(err)
	}
	later = func() {
		var rows []testutil.MinuteRow
		for m := 0; m < 60; m++ {
			rows = append(rows, testutil.MinuteRow{Location: "spb-1", Minute: now.Add(-time.Duration(m) * time.Minute), C: kpi.Components{Detractors: 2}})
		}
		testutil.InsertMinutes(t, conn, chcfg.Database, rows...)
		if err := ev.EvaluateAt(ctx, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}

	mux := http.NewServeMux()
	api.New(cfg, conn, slog.New(slog.DiscardHandler), prometheus.NewRegistry()).Routes(mux)
	c, err := console.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL, cfg, mails
}

// apiGet reads the API as the console does, for the figures the page must show.
func apiGet(t *testing.T, base, token, path string) []byte {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, res.StatusCode, b)
	}
	return b
}

type apiStatus struct {
	Location, KPI, Window, Status string
	Value                         *float64
}

// flagsFromAPI is each location's worst status in the window by the API's rank (grey below the colours, a
// KPI without thresholds below grey).
func flagsFromAPI(t *testing.T, base, token, window string) map[string]string {
	var body struct{ Statuses []apiStatus }
	if err := json.Unmarshal(apiGet(t, base, token, "/v1/status"), &body); err != nil {
		t.Fatal(err)
	}
	rank := map[string]int{"none": -1, "grey": 0, "green": 1, "yellow": 2, "red": 3}
	out := map[string]string{}
	var locs struct{ Locations []struct{ ID string } }
	if err := json.Unmarshal(apiGet(t, base, token, "/v1/locations"), &locs); err != nil {
		t.Fatal(err)
	}
	for _, l := range locs.Locations {
		out[l.ID] = "grey"
	}
	for _, s := range body.Statuses {
		if s.Window == window && rank[s.Status] > rank[out[s.Location]] {
			out[s.Location] = s.Status
		}
	}
	return out
}

type act = chromedp.Action[chromedp.Void]

func css(s string) chromedp.CSS { return chromedp.CSS(s) }

func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitJS waits until the expression is true in the page.
func waitJS(expr string) act {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		// A bound, not a measure: a loaded machine's ClickHouse may take long to answer.
		_, err := chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(3*time.Minute))(ctx, tg)
		return err
	})
}

// TestConsoleInBrowser drives the console in headless Chromium against the real read side: sign-in, the
// board's flags against /v1/status, a card opened by keyboard, the drill-down to the location page and its
// two-axis chart against /v1/kpis, latest comments, a CSV export against the API's, the map's flags and its
// plain background, the Russian texts, and a token for one store that sees only that store.
func TestConsoleInBrowser(t *testing.T) {
	base, cfg := stack(t)
	dir := browser.Artifacts(t)
	downloads := t.TempDir()

	ctx, cancel := context.WithTimeout(browser.New(t, 1920, 1080), 10*time.Minute) // a bound, not a measure
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
			_ = chromedp.Do(sctx, shot("console-failure.png")) // what the page showed, for the log reader
			t.Fatalf("%s: %v (page in test-artifacts/console-failure.png)", what, err)
		}
	}

	// Sign-in: / leads to the console, which asks for a token; a wrong one is refused with a message.
	do("sign-in page",
		chromedp.EmulateViewport(1920, 1080),
		chromedp.Navigate(base+"/?lang=en"),
		chromedp.WaitVisible(css("#token")),
		chromedp.SendKeys(css("#token"), "not-a-token"),
		chromedp.Click(css("#signin")),
		waitJS(`document.getElementById('token-error').textContent.includes('refused')`),
	)
	if loc := eval[string](t, ctx, "location.pathname"); loc != "/console/" {
		t.Errorf("/ led to %s, want /console/", loc)
	}
	do("sign in",
		chromedp.Evaluate[chromedp.Void](`document.getElementById("token").value = ""`),
		chromedp.SendKeys(css("#token"), tokAll),
		chromedp.KeyEvent(kb.Enter),
		waitJS(`document.querySelectorAll('#board .card').length === 4`),
	)

	// Every flag has the colour of its location's worst indicator in the status window, as /v1/status says;
	// the fixture makes all four colours appear.
	want := flagsFromAPI(t, base, tokAll, cfg.KPI.StatusWindow)
	if fmt.Sprint(want) != "map[kzn-1:green msk-1:red msk-2:yellow spb-1:grey]" {
		t.Fatalf("fixture statuses %v, want one location of each colour", want)
	}
	got := eval[map[string]string](t, ctx, `Object.fromEntries([...document.querySelectorAll('#board .card')].map(c => [c.dataset.location, c.dataset.status]))`)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("board flags %v, /v1/status says %v", got, want)
	}
	// Colour is never the only signal: each card's badge says the status in words, and red comes first.
	badges := eval[[]string](t, ctx, `[...document.querySelectorAll('#board .card .badge')].map(b => b.textContent)`)
	if !slices.Equal(badges, []string{"Bad", "Acceptable", "Good", "Insufficient data"}) {
		t.Errorf("badges %q, want worst first with words", badges)
	}

	// A card opens with the keyboard and shows all indicators, the value the API has.
	do("open a card by keyboard",
		chromedp.Focus(css(`.card[data-location="msk-1"] .card-head`)),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(css(`.card[data-location="msk-1"] .widget[data-kpi="nps"]`)),
		shot("console-board-en-1920.png"),
	)
	var st struct{ Statuses []apiStatus }
	if err := json.Unmarshal(apiGet(t, base, tokAll, "/v1/status?location=msk-1"), &st); err != nil {
		t.Fatal(err)
	}
	var npsStatus apiStatus
	for _, s := range st.Statuses {
		if s.KPI == "nps" && s.Window == cfg.KPI.StatusWindow {
			npsStatus = s
		}
	}
	w := eval[map[string]string](t, ctx, `(() => { const w = document.querySelector('.card[data-location="msk-1"] .widget[data-kpi="nps"]'); return {status: w.dataset.status, value: w.querySelector('.w-value').dataset.value, text: w.textContent}; })()`)
	if n := eval[int](t, ctx, `document.querySelectorAll('.card[data-location="msk-1"] .widget').length`); n != len(kpi.Names) {
		t.Errorf("opened card has %d widgets, want %d", n, len(kpi.Names))
	}
	if npsStatus.Value == nil || w["status"] != "red" || w["value"] != strconv.FormatFloat(*npsStatus.Value, 'f', -1, 64) || !strings.Contains(w["text"], "n = 240") {
		t.Errorf("NPS widget %v, API %+v", w, npsStatus)
	}
	// Live: a new evaluation turns spb-1 red and the open board follows at its next poll, without a reload.
	do("mark the page", chromedp.Evaluate[chromedp.Void](`window.__notReloaded = true`))
	later()
	do("live update", waitJS(`document.querySelector('.card[data-location="spb-1"]').dataset.status === 'red'`))
	if !eval[bool](t, ctx, `window.__notReloaded === true`) {
		t.Error("the board reloaded the page to update")
	}
	want = flagsFromAPI(t, base, tokAll, cfg.KPI.StatusWindow)
	if want["spb-1"] != "red" {
		t.Fatalf("spb-1 after the new evaluation: %v", want)
	}

	// The status filter leaves only the red locations.
	do("filter", chromedp.Click(css(`.chip[data-status="red"]`)), waitJS(`document.querySelectorAll('#board .card').length === 2`))
	do("unfilter", chromedp.Click(css(`.chip[data-status="red"]`)), waitJS(`document.querySelectorAll('#board .card').length === 4`))

	// Drill-down: the widget leads to the location page with NPS on the left axis and conversion on the right.
	do("drill down",
		chromedp.Click(css(`.card[data-location="msk-1"] .widget[data-kpi="nps"]`)),
		waitJS(`document.querySelector('#chart canvas') !== null && document.querySelector('#chart').dataset.axes === '2'`),
		waitJS(`document.querySelectorAll('#comments li').length === 2`),
	)
	if h := eval[string](t, ctx, "location.hash"); !strings.HasPrefix(h, "#/location/msk-1?kpi=nps") {
		t.Errorf("drill-down address %s", h)
	}
	chart := eval[map[string]string](t, ctx, `({...document.getElementById('chart').dataset, axes2: [...document.querySelectorAll('#chart .u-axis')].length + ''})`)
	if chart["kpis"] != "nps,conversion" || chart["axes2"] != "3" || chart["step"] != "1h" {
		t.Errorf("chart %v: want nps and conversion on two y axes (and the time axis), hourly", chart)
	}
	// The chart's figures are the API's for the same range and step.
	q := url.Values{"kpi": {"nps,conversion"}, "location": {"msk-1"}, "from": {chart["from"]}, "to": {chart["to"]}, "step": {chart["step"]}}
	var series struct {
		Series []struct {
			KPI    string
			Points []struct {
				Time  time.Time
				Value *float64
			}
		}
	}
	if err := json.Unmarshal(apiGet(t, base, tokAll, "/v1/kpis?"+q.Encode()), &series); err != nil {
		t.Fatal(err)
	}
	for _, s := range series.Series {
		var wantVals []string
		for _, p := range s.Points {
			if p.Value != nil {
				wantVals = append(wantVals, p.Time.UTC().Format(time.RFC3339)+"="+strconv.FormatFloat(*p.Value, 'f', -1, 64))
			}
		}
		gotVals := eval[[]string](t, ctx, `[...document.querySelectorAll('#chart-table td[data-kpi="`+s.KPI+`"]')].filter(td => td.dataset.v !== '').map(td => td.closest('tr').dataset.time.replace('.000', '') + '=' + td.dataset.v)`)
		if len(wantVals) < 2 || !slices.Equal(gotVals, wantVals) {
			t.Errorf("%s in the chart table %v, API %v", s.KPI, gotVals, wantVals)
		}
	}
	comments := eval[string](t, ctx, `document.getElementById('comments').textContent`)
	if !strings.Contains(comments, "Long queue at the checkout") || strings.Index(comments, "Long queue") > strings.Index(comments, "Friendly") {
		t.Errorf("latest comments, newest first: %q", comments)
	}
	// The case KPIs keep their own window (cases.status_window, 7d) on the location page whatever the window
	// chosen: msk-1's overdue case is yellow, its times green in hours.
	cw := eval[map[string]string](t, ctx, `Object.fromEntries([...document.querySelectorAll('#widgets .widget[data-kpi^="case"]')].map(w => [w.dataset.kpi, w.dataset.status + ' ' + w.querySelector('.w-value').textContent]))`)
	if cw["cases_overdue"] != "yellow 1" || cw["case_resolution_hours"] != "green 1.5 h" || cw["cases_resolved_in_sla"] != "green 100.0 %" {
		t.Errorf("case widgets on the location page %v, want overdue yellow 1, resolution green 1.5 h, in SLA green 100.0 %%", cw)
	}
	do("location screenshot", shot("console-location-en-1920.png"))

	// Export: the CSV the page downloads is the API's CSV for the chart's selection.
	if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads}); err != nil {
		t.Fatal(err)
	}
	do("export", chromedp.Click(css(`#chart-section .export button[data-format="csv"]`)))
	file := filepath.Join(downloads, "cxm-msk-1.csv")
	var csv []byte
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if b, err := os.ReadFile(file); err == nil && len(b) > 0 {
			csv = b
			break
		}
	}
	q.Set("format", "csv")
	if wantCSV := apiGet(t, base, tokAll, "/v1/kpis?"+q.Encode()); string(csv) != string(wantCSV) || !strings.HasPrefix(string(csv), "location,region,kpi,time,value,n,low,high") {
		t.Errorf("downloaded CSV differs from the API's:\n%s\nwant\n%s", csv, wantCSV)
	}

	// The map: one flag per location in its board colour; the tile server fails, so the plain background
	// and its notice show; a flag opens all the location's indicators, each a link to the detail.
	do("map",
		chromedp.Navigate(base+"/console/#/map"),
		waitJS(`document.querySelectorAll('.pin').length === 4`),
		waitJS(`document.getElementById('map').classList.contains('plain')`),
	)
	pins := eval[map[string]string](t, ctx, `Object.fromEntries([...document.querySelectorAll('.pin')].map(p => [p.dataset.location, p.dataset.status]))`)
	if fmt.Sprint(pins) != fmt.Sprint(want) {
		t.Errorf("map flags %v, /v1/status says %v", pins, want)
	}
	do("open a flag",
		// By keyboard: msk-1's red flag sits almost on top of msk-2's, and Leaflet opens a focused flag on Enter.
		chromedp.Focus(css(`.leaflet-marker-icon:has(.pin[data-location="msk-2"])`)),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(css(`.popup[data-location="msk-2"]`)),
		shot("console-map-en-1920.png"),
	)
	popup := eval[map[string]string](t, ctx, `Object.fromEntries([...document.querySelectorAll('.popup li')].map(li => [li.dataset.kpi, li.dataset.status]))`)
	if len(popup) != len(kpi.Names) || popup["coverage"] != "yellow" || popup["nps"] != "green" {
		t.Errorf("msk-2 popup %v", popup)
	}
	do("drill down from the map",
		chromedp.Click(css(`.popup li[data-kpi="coverage"] a`)),
		waitJS(`document.querySelector('#chart') && document.querySelector('#chart').dataset.kpis === 'coverage,smile_index'`),
	)

	// Russian, on a phone.
	do("russian phone",
		chromedp.EmulateViewport(390, 844),
		chromedp.Click(css(`.lang button[lang="ru"]`)),
		waitJS(`document.querySelector('.top nav').textContent.includes('Панель')`),
		waitJS(`document.querySelector('#chart canvas') !== null`),
		shot("console-location-ru-390.png"),
		chromedp.Navigate(base+"/console/#/board"),
		waitJS(`document.querySelectorAll('#board .card').length === 4`),
		chromedp.Click(css(`.card[data-location="msk-2"] .card-head`)),
		chromedp.WaitVisible(css(`.card[data-location="msk-2"] .widget`)),
		shot("console-board-ru-390.png"),
	)
	if b := eval[string](t, ctx, `document.querySelector('.card[data-location="msk-2"] .badge').textContent`); b != "Допустимо" {
		t.Errorf("Russian badge %q", b)
	}
	if sw := eval[int](t, ctx, `document.documentElement.scrollWidth`); sw > 390 {
		t.Errorf("the phone page is %d px wide: it scrolls sideways", sw)
	}

	if msg := eval[string](t, ctx, `document.querySelector('.updated').textContent`); strings.Contains(msg, "error") || strings.Contains(msg, "Ошибка") {
		t.Errorf("the page reported a script error: %s", msg)
	}

	// Scoping: a token for one store, signed in through the sign-in link in a tab of its own, sees that
	// store only, and the API's 403 for another.
	tab, cancelTab := chromedp.NewContext(ctx)
	defer cancelTab()
	if err := chromedp.Do(tab,
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(base+"/console/?lang=en#token="+tokMsk2),
		waitJS(`document.querySelectorAll('#board .card').length >= 1`),
	); err != nil {
		t.Fatalf("scoped sign-in: %v", err)
	}
	if h, _ := chromedp.Run(tab, chromedp.Evaluate[string]("location.hash")); strings.Contains(h, tokMsk2) {
		t.Errorf("the token stays in the address: %s", h)
	}
	cards, _ := chromedp.Run(tab, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#board .card')].map(c => c.dataset.location)`))
	if !slices.Equal(cards, []string{"msk-2"}) {
		t.Errorf("scoped board shows %v, want msk-2 only", cards)
	}
	if err := chromedp.Do(tab,
		chromedp.Navigate(base+"/console/?lang=en#/location/msk-1"),
		waitJS(`document.getElementById('location-error') && document.getElementById('location-error').textContent.includes('may not read')`),
	); err != nil {
		t.Errorf("scoped token on another store's page: %v", err)
	}
}

// TestMaturityInBrowser: the list of assessments, a report with the level of every question and block, its
// PDF, the respondent's copy through a real SMTP server, and a one-store token that sees only its store's.
func TestMaturityInBrowser(t *testing.T) {
	base, _, mails := stackWithMail(t)
	dir := browser.Artifacts(t)
	downloads := t.TempDir()
	ctx, cancel := context.WithTimeout(browser.New(t, 1280, 900), 8*time.Minute) // a bound, not a measure
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
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/console/?lang=en#token="+tokAll),
		waitJS(`document.querySelectorAll('#board .card').length === 4`),
		chromedp.Click(css(`.top nav a[href="#/maturity"]`)),
		waitJS(`document.querySelectorAll('#assessments-table tbody tr').length === 2`),
	); err != nil {
		t.Fatalf("list: %v", err)
	}
	rows := eval[[]string](t, ctx, `[...document.querySelectorAll('#assessments-table tbody tr')].map(r => r.dataset.id + ':' + r.querySelector('[data-stage]').dataset.stage + ':' + r.cells[3].textContent)`)
	if !slices.Equal(rows, []string{"a-1:3:43 of 95", "a-2:1:0 of 95"}) {
		t.Errorf("assessments newest first %q", rows)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(css(`#assessments-table tr[data-id="a-1"] a`)),
		waitJS(`document.querySelectorAll('#question-bars .bar').length === 11`),
		shot("console-maturity-report-en.png"),
	); err != nil {
		t.Fatalf("report: %v", err)
	}
	levels := eval[[]string](t, ctx, `[...document.querySelectorAll('#question-bars .bar')].map(b => b.dataset.level)`)
	if strings.Join(levels, ",") != "3,3,3,3,2,2,2,2,4,1,1" {
		t.Errorf("question levels %v", levels)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('#block-bars .bar').length`); n != 6 {
		t.Errorf("%d block bars, want 6", n)
	}
	if s := eval[string](t, ctx, `document.getElementById('score').textContent`); s != "43 of 95" {
		t.Errorf("score %q", s)
	}

	// The PDF downloads as a file a PDF reader opens: header, one page object per A4 page, cross-reference
	// table and trailer.
	if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(css("#pdf"))); err != nil {
		t.Fatal(err)
	}
	var pdf []byte
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && len(pdf) == 0; time.Sleep(100 * time.Millisecond) {
		pdf, _ = os.ReadFile(filepath.Join(downloads, "cx-maturity-a-1.pdf"))
	}
	ps := string(pdf)
	if !strings.HasPrefix(ps, "%PDF-1.4") || !strings.HasSuffix(ps, "%%EOF\n") || !strings.Contains(ps, "/Type /Page /Parent") ||
		!strings.Contains(ps, "/Filter /DCTDecode") || len(pdf) < 20000 {
		t.Errorf("PDF of %d bytes: %.200q", len(pdf), ps)
	}
	if i := strings.LastIndex(ps, "startxref\n"); i < 0 || !strings.HasPrefix(ps[atoi(ps[i+10:]):], "xref\n") {
		t.Error("PDF startxref does not point at its xref table")
	}
	_ = os.WriteFile(filepath.Join(dir, "console-maturity-report.pdf"), pdf, 0o644)

	// The respondent's copy, by e-mail.
	if err := chromedp.Do(ctx,
		chromedp.Click(css("#send-copy")),
		waitJS(`document.querySelector('#report .ok') && document.querySelector('#report .ok').textContent.includes('ada@example.org')`),
	); err != nil {
		t.Fatalf("send copy: %v", err)
	}
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Click(css(`.lang button[lang="ru"]`)),
		waitJS(`document.querySelector('#score') && document.querySelector('#score').textContent === '43 из 95'`),
		shot("console-maturity-report-ru-390.png"),
	); err != nil {
		t.Fatalf("report in Russian: %v", err)
	}
	if msg := eval[string](t, ctx, `document.querySelector('.updated').textContent`); strings.Contains(msg, "Ошибка") {
		t.Errorf("the page reported a script error: %s", msg)
	}
	got := mails()
	if len(got) != 1 || got[0].To != "ada@example.org" || !strings.Contains(got[0].Data, "43 of 95") {
		t.Errorf("mails %+v", got)
	}

	// A one-store token lists only its store's assessment and cannot open the other one.
	tab, cancelTab := chromedp.NewContext(ctx)
	defer cancelTab()
	if err := chromedp.Do(tab,
		chromedp.Navigate(base+"/console/?lang=en#token="+tokMsk2),
		waitJS(`document.querySelectorAll('#board .card').length === 1`),
		chromedp.Navigate(base+"/console/?lang=en#/maturity"),
		waitJS(`document.querySelectorAll('#assessments-table tbody tr').length === 1`),
	); err != nil {
		t.Fatalf("scoped list: %v", err)
	}
	if ids, _ := chromedp.Run(tab, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#assessments-table tbody tr')].map(r => r.dataset.id)`)); !slices.Equal(ids, []string{"a-2"}) {
		t.Errorf("scoped assessments %v", ids)
	}
	if err := chromedp.Do(tab,
		chromedp.Navigate(base+"/console/?lang=en#/maturity/a-1"),
		waitJS(`document.getElementById('report-error') !== null`),
	); err != nil {
		t.Errorf("scoped report of another store: %v", err)
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(s, "\n", 2)[0]))
	return n
}
