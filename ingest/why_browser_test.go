package ingest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cxm-project/cxm/internal/event"
	cxmtest "github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/internal/testutil/browser"
)

// TestBrowserWhy: in Chromium, at phone width and on a desktop, in Russian and English, an unhappy score
// brings up the negative follow-up list and the "contact me" opt-in (and a happy one the positive list);
// the answer is sent with its reason; the thank-you page offers the review pages and a click on one lands
// on the review site and is recorded.
func TestBrowserWhy(t *testing.T) {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><title>review site</title><h1 id="site">review site %s</h1>`, r.URL.Path)
	}))
	defer site.Close()
	k := cxmtest.Kafka(t)
	e := start(t, k, withWhy(site.URL))
	dir := browser.Artifacts(t)

	for _, c := range []struct {
		lang          string
		width, height int
		nps           int
		reason        string
	}{
		{"ru", 390, 844, 2, "queue"},
		{"en", 390, 844, 3, "rude"},
		{"en", 1280, 900, 9, "staff"},
		{"ru", 1280, 900, 10, "fast"},
	} {
		name := fmt.Sprintf("why-%s-%d-nps%d", c.lang, c.width, c.nps)
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(browser.New(t, c.width, c.height), 3*time.Minute)
			defer cancel()
			css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
			shot := func(n string) chromedp.Action[chromedp.Void] {
				return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
					buf, err := chromedp.FullScreenshot(100)(ctx, tg)
					if err != nil {
						return err
					}
					return os.WriteFile(filepath.Join(dir, name+"-"+n+".png"), buf, 0o644)
				})
			}
			happy := c.nps >= 9
			list, other := "#why-neg", "#why-pos"
			if happy {
				list, other = other, list
			}
			steps := []chromedp.Action[chromedp.Void]{
				chromedp.EmulateViewport(int64(c.width), int64(c.height), chromedp.EmulateScale(1)),
				chromedp.Navigate(e.url + "/s/shop-1/default?lang=" + c.lang),
				chromedp.WaitVisible(css("#send")),
				chromedp.WaitNotVisible(css("#why-neg")),
				chromedp.WaitNotVisible(css("#why-pos")),
				chromedp.Click(css(fmt.Sprintf(`label:has(input[name="nps"][value="%d"])`, c.nps))),
				chromedp.WaitVisible(css(list)),
				chromedp.WaitNotVisible(css(other)),
				chromedp.Click(css(`label:has(input[name="csat"][value="3"])`)),
				chromedp.Click(css(`label:has(input[name="ces"][value="4"])`)),
				chromedp.Click(css(fmt.Sprintf(`label:has(input[value="%s"])`, c.reason))),
			}
			if !happy {
				steps = append(steps, chromedp.WaitVisible(css("#contact")),
					chromedp.SendKeys(css("#contact_phone"), "+7 900 123-45-67"),
					chromedp.Click(css("#contact_consent")))
			} else {
				steps = append(steps, chromedp.WaitNotVisible(css("#contact")))
			}
			steps = append(steps, shot("form"), chromedp.Click(css("#send")), chromedp.WaitVisible(css("#reviews a")), shot("thanks"))
			if err := chromedp.Do(ctx, steps...); err != nil {
				t.Fatal(err)
			}
			links, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#reviews a").length`))
			if err != nil || links != 2 {
				t.Fatalf("review links: %d %v", links, err)
			}
			if err := chromedp.Do(ctx, chromedp.Click(css(`#reviews a[data-platform="2ГИС"]`)), chromedp.WaitVisible(css("#site"))); err != nil {
				t.Fatal(err)
			}
			h, err := chromedp.Run(ctx, chromedp.Text(css("#site")))
			if err != nil || h != "review site /2gis" {
				t.Fatalf("landed on %q (%v)", h, err)
			}
		})
	}

	// Kafka: every answer with its reason, 2 x 4 invitations, 4 clicks on 2GIS.
	reasons := map[int]string{}
	var shown, clicks int
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		reasons, shown, clicks = map[int]string{}, 0, 0
		for _, ev := range readEvents(t, k) {
			switch {
			case ev.Type == event.TypeSurvey && ev.Answers.NPS != nil:
				reasons[*ev.Answers.NPS] = ev.Reason
				if *ev.Answers.NPS < 9 && !strings.Contains(string(ev.Ext), `"phone":"+7 900 123-45-67"`) {
					t.Errorf("nps %d: contact %s", *ev.Answers.NPS, ev.Ext)
				}
			case ev.Type == event.TypeReview && ev.Kind == event.KindShown:
				shown++
			case ev.Type == event.TypeReview && ev.Kind == event.KindClick && ev.Platform == "2gis":
				clicks++
			}
		}
		if len(reasons) == 4 && clicks == 4 {
			break
		}
	}
	if reasons[2] != "queue" || reasons[3] != "rude" || reasons[9] != "staff" || reasons[10] != "fast" || shown != 8 || clicks != 4 {
		t.Errorf("reasons %v, shown %d, clicks %d", reasons, shown, clicks)
	}
}
