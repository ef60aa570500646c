package ingest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/chromedp/chromedp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cxm-project/cxm/internal/api"
	"github.com/cxm-project/cxm/internal/auth"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/httpserver"
	cxmtest "github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/internal/testutil/browser"
	"github.com/cxm-project/cxm/processor"
)

const apiToken = "questionnaire-test-token-0123456789"

// TestQuestionnaireEndToEnd: a respondent fills the shipped RSQS questionnaire (deploy/surveys/rsqs.yaml,
// 28 items, a 0..10 recommendation and a free-text question shown only for a score of 0..8) in headless
// Chromium at phone width; the answer goes through the ingest, Kafka, the processor and ClickHouse, and the
// API's /v1/kpis returns the RSQS CSI and its dimensions computed by hand from the clicks, and the NPS.
func TestQuestionnaireEndToEnd(t *testing.T) {
	k := cxmtest.Kafka(t)
	chConn, chCfg := cxmtest.ClickHouse(t)
	e := start(t, k, func(cfg *config.Config) {
		cfg.ClickHouse = chCfg
		cfg.Questionnaires.SurveyFiles = []string{filepath.Join("..", "deploy", "surveys", "rsqs.yaml")}
		cfg.API.Tokens = []config.APIToken{{Name: "test", Hash: auth.Hash(apiToken), All: true}}
		cfg.Processor.GroupID = "questionnaire-e2e"
		cfg.Processor.FlushInterval = 100 * time.Millisecond
		cfg.Kafka.Consumer.SessionTimeout = 6 * time.Second
		cfg.Kafka.Consumer.HeartbeatInterval = time.Second
		cfg.Kafka.Consumer.RebalanceTimeout = 20 * time.Second
		cfg.Kafka.Consumer.JoinGroupBackoff = 200 * time.Millisecond
		cfg.Kafka.Consumer.MaxWait = 100 * time.Millisecond
		cfg.Processor.WriteTimeout = 15 * time.Second
	})
	log := slog.New(slog.DiscardHandler)
	proc, err := processor.New(e.cfg, log, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	pctx, stopProc := context.WithCancel(context.Background())
	procDone := make(chan error, 1)
	go func() { procDone <- proc.Run(pctx) }()
	t.Cleanup(func() { stopProc(); <-procDone })
	apiURL := serveAPI(t, e.cfg, chConn)

	ctx, cancel := context.WithTimeout(browser.New(t, 390, 844), 5*time.Minute)
	defer cancel()
	dir := browser.Artifacts(t)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			buf, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, name), buf, 0o644)
		})
	}
	// Item i (1..28) is answered 1 + i mod 5.
	var clicks []chromedp.Action[chromedp.Void]
	for i := 1; i <= 28; i++ {
		clicks = append(clicks, chromedp.Click(css(fmt.Sprintf(`label:has(#rsqs%02d-%d)`, i, 1+i%5))))
	}
	before := time.Now().UTC().Truncate(time.Minute)
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(1)),
		chromedp.Navigate(e.url+"/s/shop-1/rsqs?lang=en"),
		chromedp.WaitVisible(css("#send")),
	); err != nil {
		t.Fatal(err)
	}
	visible := func(sel string) bool {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector('`+sel+`')).display !== 'none'`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if visible("#q-improve") {
		t.Error("the conditional question is shown before the recommendation is answered")
	}
	if err := chromedp.Do(ctx, clicks...); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(css(`label:has(#recommend-9)`))); err != nil {
		t.Fatal(err)
	}
	if visible("#q-improve") {
		t.Error("the conditional question (recommend 0..8) is shown for a 9")
	}
	if err := chromedp.Do(ctx, chromedp.Click(css(`label:has(#recommend-6)`))); err != nil {
		t.Fatal(err)
	}
	if !visible("#q-improve") {
		t.Fatal("the conditional question (recommend 0..8) is hidden for a 6")
	}
	if err := chromedp.Do(ctx,
		chromedp.WaitVisible(css("#improve")),
		chromedp.Click(css("#improve")),
		chromedp.KeyEvent("Wider aisles"),
		shot("questionnaire-rsqs-filled-phone-en.png"),
		chromedp.Click(css("#send")),
		chromedp.WaitVisible(css("#done")),
		shot("questionnaire-rsqs-done-phone-en.png"),
	); err != nil {
		t.Fatal(err)
	}

	// By hand: dimension scores are the means of (answer − 1)/4·100 of their items, CSI their mean (weights 1).
	dims := []struct {
		name     string
		from, to int
	}{{"physical", 1, 6}, {"reliability", 7, 11}, {"interaction", 12, 20}, {"problems", 21, 23}, {"policy", 24, 28}}
	want := map[string]float64{}
	var csi float64
	for _, d := range dims {
		var s float64
		for i := d.from; i <= d.to; i++ {
			s += float64(i%5) * 25
		}
		m := math.Round(s/float64(d.to-d.from+1)*1000) / 1000
		want["csi_rsqs_"+d.name] = m
		csi += s / float64(d.to-d.from+1)
	}
	want["csi_rsqs"] = math.Round(csi/5*1000) / 1000
	want["nps_rsqs"] = -100 // one detractor (6)

	q := url.Values{"kpi": {"csi_rsqs,csi_rsqs_physical,csi_rsqs_reliability,csi_rsqs_interaction,csi_rsqs_problems,csi_rsqs_policy,nps_rsqs"},
		"location": {"shop-1"}, "from": {before.Add(-time.Hour).Format(time.RFC3339)}, "to": {before.Add(time.Hour).Format(time.RFC3339)}}
	deadline := time.Now().Add(90 * time.Second)
	for {
		got, err := kpis(apiURL, q)
		if err == nil && len(got) == len(want) {
			ok := true
			for name, w := range want {
				p := got[name]
				if p.Value == nil || math.Abs(*p.Value-w) > 1e-6 || p.N != 1 {
					ok = false
				}
			}
			if ok {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("API KPIs %+v (err %v), want %v with n 1", got, err, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

type point struct {
	Value *float64 `json:"value"`
	N     int64    `json:"n"`
}

// kpis reads the one point of each KPI series of /v1/kpis.
func kpis(base string, q url.Values) (map[string]point, error) {
	req, _ := http.NewRequest("GET", base+"/v1/kpis?"+q.Encode(), nil)
	req.Header.Set("Authorization", "Bearer "+apiToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body struct {
		Series []struct {
			KPI    string  `json:"kpi"`
			Points []point `json:"points"`
		} `json:"series"`
	}
	if resp.StatusCode != 200 {
		var e map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&e)
		return nil, fmt.Errorf("status %d: %v", resp.StatusCode, e)
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, err
	}
	out := map[string]point{}
	for _, s := range body.Series {
		if len(s.Points) == 1 && s.Points[0].N > 0 {
			out[s.KPI] = s.Points[0]
		}
	}
	return out, nil
}

// serveAPI serves the query API of cfg on a port of its own.
func serveAPI(t *testing.T, cfg *config.Config, chConn driver.Conn) string {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	reg := prometheus.NewRegistry()
	srv := httpserver.New(log, reg)
	api.New(cfg, chConn, log, reg).Mount(srv)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = srv.ServeListener(ctx, ln, 5*time.Second); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return "http://" + ln.Addr().String()
}

// TestQuestionnaireLayout opens the RSQS and SERVQUAL questionnaires on a phone (390 px) and a desktop, in
// Russian and English: every scale is one row of equal buttons inside the content, each question has its
// text in the page's language, and the send button is inside the content. Screenshots go to test-artifacts/.
func TestQuestionnaireLayout(t *testing.T) {
	k := cxmtest.Kafka(t)
	e := start(t, k, func(cfg *config.Config) {
		cfg.Questionnaires.SurveyFiles = []string{filepath.Join("..", "deploy", "surveys", "rsqs.yaml"), filepath.Join("..", "deploy", "surveys", "servqual.yaml")}
	})
	dir := browser.Artifacts(t)
	for _, sv := range []struct{ id, loc, ruWord, enWord string }{{"rsqs", "shop-1", "магазин", "store"}, {"servqual", "clinic-1", "клиника", "clinic"}} {
		for _, vp := range []struct {
			name          string
			width, height int
		}{{"phone", 390, 844}, {"desktop", 1280, 900}} {
			for _, lang := range []string{"ru", "en"} {
				t.Run(sv.id+"-"+vp.name+"-"+lang, func(t *testing.T) {
					ctx, cancel := context.WithTimeout(browser.New(t, vp.width, vp.height), 2*time.Minute)
					defer cancel()
					if err := chromedp.Do(ctx,
						chromedp.EmulateViewport(int64(vp.width), int64(vp.height), chromedp.EmulateScale(1)),
						chromedp.Navigate(e.url+"/s/"+sv.loc+"/"+sv.id+"?lang="+lang),
						chromedp.WaitVisible(chromedp.CSS("#send")),
					); err != nil {
						t.Fatal(err)
					}
					scales, err := chromedp.Run(ctx, chromedp.Evaluate[[][]box](`[...document.querySelectorAll('.scale')].map(s => [...s.querySelectorAll('label')].map(l => { const r = l.getBoundingClientRect(); return {X: r.x, Y: r.y, W: r.width, H: r.height} }))`))
					if err != nil {
						t.Fatal(err)
					}
					main, err := chromedp.Run(ctx, chromedp.Evaluate[box](`(() => { const m = document.querySelector('main'), s = getComputedStyle(m), r = m.getBoundingClientRect(); return {X: r.x + parseFloat(s.paddingLeft), Y: r.y, W: r.width - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight), H: r.height} })()`))
					if err != nil {
						t.Fatal(err)
					}
					legends, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('legend')].map(l => l.textContent).join(' ')`))
					if err != nil {
						t.Fatal(err)
					}
					png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
					if err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("questionnaire-%s-%s-%s.png", sv.id, vp.name, lang)), png, 0o644); err != nil {
						t.Fatal(err)
					}
					want := map[string]int{"rsqs": 29, "servqual": 44}[sv.id]
					if len(scales) != want {
						t.Fatalf("%d scales, want %d", len(scales), want)
					}
					for i, sc := range scales {
						for _, b := range sc {
							if math.Abs(b.W-sc[0].W) > 0.5 || math.Abs(b.Y-sc[0].Y) > 0.5 {
								t.Errorf("scale %d: buttons %+v, want one row of equal widths", i, sc)
								break
							}
						}
						if last := sc[len(sc)-1]; last.X+last.W > main.X+main.W+0.5 || sc[0].X < main.X-0.5 {
							t.Errorf("scale %d overflows the content %+v", i, main)
						}
						if sc[0].H < 40 {
							t.Errorf("scale %d: buttons %.0f px high, want a touch target of at least 40", i, sc[0].H)
						}
					}
					if sv.id == "servqual" && vp.name == "phone" {
						// Nothing answered: the server sends the page back with the reason, in the page's language.
						if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#send")), chromedp.WaitVisible(chromedp.CSS("#error"))); err != nil {
							t.Fatal(err)
						}
						msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#error")))
						if err != nil {
							t.Fatal(err)
						}
						if want := map[string]string{"ru": "Ответ пустой.", "en": "The answer is empty."}[lang]; msg != want {
							t.Errorf("error %q, want %q", msg, want)
						}
						png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
						if err == nil {
							_ = os.WriteFile(filepath.Join(dir, fmt.Sprintf("questionnaire-%s-%s-%s-error.png", sv.id, vp.name, lang)), png, 0o644)
						}
					}
					word := map[string]string{"ru": sv.ruWord, "en": sv.enWord}[lang]
					if !strings.Contains(strings.ToLower(legends), word) {
						t.Errorf("questions in %s do not mention %q: %.200s", lang, word, legends)
					}
				})
			}
		}
	}
}
