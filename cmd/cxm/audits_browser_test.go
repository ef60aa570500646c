package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	jpegenc "image/jpeg"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	cdpnetwork "github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/internal/testutil/browser"
)

// TestAuditInBrowser: the whole pipeline (`cxm run` with cxm.yaml's checklists) and headless Chromium at
// a phone's width. An auditor signs in with a write token, fills the retail checklist by touch, attaches a
// photo, and submits; the visit goes through the ingest, Kafka and the processor, and the read API's ИВС
// of the store is the hand-computed 87.5 (greet 2 + open_questions 2 + offer 2 + goodbye 1 met of 8, smile
// missed, fitting n/a). The photo comes back byte for byte from the evidence endpoint, and the console's
// audits view shows the visit. Screenshots in Russian and English, at 390 px and on a desktop.
func TestAuditInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole pipeline")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	_, ch := testutil.ClickHouse(t)
	httpAddr, brokerAddr := testutil.FreeAddr(t), testutil.FreeAddr(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperCXM$")
	cmd.Env = append(os.Environ(),
		"CXM_TEST_HELPER_ARGS=run --simulate=false --http.listen "+httpAddr+" --clickhouse.database "+ch.Database+" --clickhouse.addr "+ch.Addr[0],
		"CXM_CONFIG="+filepath.Join(root, "cxm.yaml"), "CXM_BROKER_LISTEN="+brokerAddr, "CXM_LOG_LEVEL=warn")
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	cmd.Dir = t.TempDir()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	base := "http://" + httpAddr
	get := func(path string) (*http.Response, []byte) {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Header.Set("Authorization", "Bearer cxm-dev-token")
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, nil
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		return r, b
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if r, _ := get("/readyz"); r != nil && r.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("cxm run not ready after 2 minutes")
		}
		time.Sleep(200 * time.Millisecond)
	}

	photo := filepath.Join(t.TempDir(), "shelf.jpg")
	// A real photo (a shelf in the shop's colours), so the audits view can show it.
	img := image.NewRGBA(image.Rect(0, 0, 160, 120))
	for y := range 120 {
		for x := range 160 {
			img.Set(x, y, color.RGBA{uint8(x), uint8(80 + y), 160, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpegenc.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	jpeg := buf.Bytes()
	if err := os.WriteFile(photo, jpeg, 0o600); err != nil {
		t.Fatal(err)
	}
	dir := browser.Artifacts(t)
	ctx, cancel := context.WithTimeout(browser.New(t, 390, 844), 8*time.Minute) // a bound, not a measure
	defer cancel()
	type act = chromedp.Action[chromedp.Void]
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	shot := func(name string) act {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			buf, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, name), buf, 0o644)
		})
	}
	waitJS := func(expr string) act {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Poll[bool](expr, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(3*time.Minute))(ctx, tg)
			return err
		})
	}
	do := func(what string, steps ...act) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			_ = chromedp.Do(sctx, shot("audit-failure.png"))
			t.Fatalf("%s: %v (page in test-artifacts/audit-failure.png)", what, err)
		}
	}

	do("sign in as an auditor",
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(base+"/console/?lang=ru#/audit"),
		chromedp.WaitVisible(css("#auditor-token")),
		shot("audit-signin-ru-390.png"),
		chromedp.SendKeys(css("#auditor-token"), "cxm-dev-token"),
		chromedp.Click(css("#auditor-signin")),
		chromedp.WaitVisible(css("#el-greet-met")),
	)
	results := map[string]string{"greet": "met", "smile": "not_met", "open_questions": "met", "fitting": "na", "offer": "met", "goodbye": "met"}
	steps := []act{chromedp.SendKeys(css("#audit-auditor"), "agency-7"), chromedp.SendKeys(css("#audit-employee"), "emp-42")}
	for el, res := range results {
		steps = append(steps, chromedp.Click(css("#el-"+el+"-"+res)))
	}
	steps = append(steps, chromedp.SendKeys(css("#el-smile-comment"), "no eye contact"),
		chromedp.SetUploadFiles(css("#audit-photo"), []string{photo}),
		waitJS(`document.querySelectorAll('#attachments li').length === 1`),
		shot("audit-form-ru-390.png"))
	do("fill the checklist", steps...)
	// The draft survives a reload: the answers and the photo are on the device.
	do("reload keeps the draft",
		chromedp.Navigate(base+"/console/?lang=en#/audit"),
		chromedp.WaitVisible(css("#el-greet-met")),
		waitJS(`document.getElementById('el-smile-not_met').checked && document.querySelectorAll('#attachments li').length === 1`),
		shot("audit-form-en-390.png"),
	)
	// No network in the shop: the audit is kept on the device and sent when the network returns.
	network := func(offline bool) {
		t.Helper()
		if _, err := chromedp.Call(ctx, cdpnetwork.Enable, cdpnetwork.EnableParams{}); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Call(ctx, cdpnetwork.EmulateNetworkConditionsByRule, cdpnetwork.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: []*cdpnetwork.Conditions{{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Call(ctx, cdpnetwork.OverrideNetworkState, cdpnetwork.OverrideNetworkStateParams{
			Offline: offline, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
			t.Fatal(err)
		}
	}
	network(true)
	do("submit offline",
		chromedp.Click(css("#audit-submit")),
		chromedp.WaitVisible(css("#audit-done")),
		shot("audit-offline-en-390.png"),
	)
	done, _ := chromedp.Run(ctx, chromedp.Text(css("#audit-done")))
	if !strings.Contains(done, "Offline") {
		t.Fatalf("after an offline submit: %q", done)
	}
	if _, b := get("/v1/audits/visits?location=store-001&from=" + url.QueryEscape(time.Now().Add(-24*time.Hour).UTC().Format(time.RFC3339)) +
		"&to=" + url.QueryEscape(time.Now().Add(time.Hour).UTC().Format(time.RFC3339))); strings.Contains(string(b), "emp-42") {
		t.Fatalf("an offline audit reached the server: %s", b)
	}
	network(false) // the browser fires "online": the outbox is sent

	// The visit in the KPIs: the read API's ИВС of store-001.
	from, to := time.Now().Add(-24*time.Hour).UTC().Format(time.RFC3339), time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	var res struct {
		Series []struct {
			Key   string
			Total struct {
				Value *float64
				N     int64
			}
		}
	}
	deadline = time.Now().Add(2 * time.Minute)
	for {
		_, b := get("/v1/audits?location=store-001&template=retail&from=" + url.QueryEscape(from) + "&to=" + url.QueryEscape(to))
		_ = json.Unmarshal(b, &res)
		if len(res.Series) == 1 && res.Series[0].Total.N == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the visit did not reach the KPIs: %s", b)
		}
		time.Sleep(300 * time.Millisecond)
	}
	if v := res.Series[0].Total.Value; v == nil || *v != 87.5 {
		t.Fatalf("ИВС %v, want 87.5", v)
	}
	_, b := get("/v1/audits/visits?location=store-001&from=" + url.QueryEscape(from) + "&to=" + url.QueryEscape(to))
	var vs struct {
		Visits []struct {
			Audit struct {
				Employee string
				Evidence []string
				Elements []struct{ Element, Comment string }
			}
		}
	}
	_ = json.Unmarshal(b, &vs)
	if len(vs.Visits) != 1 || len(vs.Visits[0].Audit.Evidence) != 1 || vs.Visits[0].Audit.Employee != "emp-42" {
		t.Fatalf("visits %s", b)
	}
	r, got := get("/v1/evidence?key=" + url.QueryEscape(vs.Visits[0].Audit.Evidence[0]))
	if r == nil || r.StatusCode != http.StatusOK || !bytes.Equal(got, jpeg) || r.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("evidence round trip: %v, %d bytes", r, len(got))
	}

	// The regional manager's view: the console's audits page, phone and desktop, ru and en.
	for _, v := range []struct {
		lang string
		w, h int64
	}{{"ru", 390, 844}, {"en", 390, 844}, {"en", 1280, 900}, {"ru", 1280, 900}} {
		name := "audits-" + v.lang + "-" + map[int64]string{390: "390", 1280: "desktop"}[v.w] + ".png"
		do("audits view "+name,
			chromedp.EmulateViewport(v.w, v.h),
			chromedp.Navigate(base+"/console/?lang="+v.lang+"#token=cxm-dev-token"),
			chromedp.WaitVisible(css("#board")),
			chromedp.Navigate(base+"/console/?lang="+v.lang+"#/audits"),
			chromedp.WaitVisible(css("#ivs-table")),
			waitJS(`document.querySelector('#ivs-table tr[data-location="store-001"]') !== null`),
			chromedp.Click(css("#visits-table .open-evidence")),
			waitJS(`!!document.querySelector('#visits-table .evidence img') && document.querySelector('#visits-table .evidence img').naturalWidth === 160`),
			shot(name),
		)
	}
	row, _ := chromedp.Run(ctx, chromedp.Text(css(`#ivs-table tr[data-location="store-001"]`)))
	if !strings.Contains(row, "87,5") && !strings.Contains(row, "87.5") {
		t.Errorf("audits view row: %q", row)
	}
	heat, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#factor-heatmap td.heat')].map(td => td.dataset.status + ':' + td.textContent.trim())`))
	t.Logf("factor heat map: %v", heat)
}
