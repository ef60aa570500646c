package ingest_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	cxmtest "github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/internal/testutil/browser"
)

// TestSurveyLayout opens the survey in headless Chromium on a phone (390 px) and a desktop, in Russian and
// English, and checks what a respondent sees: the page names the store, every scale (NPS 0..10 included)
// is one row of buttons of equal width, so no value stands out, and the send button is within the content,
// full width on the phone, not at the screen's edge. Screenshots go to test-artifacts/.
func TestSurveyLayout(t *testing.T) {
	k := cxmtest.Kafka(t)
	e := start(t, k, nil)
	dir := browser.Artifacts(t)
	for _, vp := range []struct {
		name          string
		width, height int
		phone         bool
	}{{"phone", 390, 844, true}, {"desktop", 1280, 900, false}} {
		for _, lang := range []string{"ru", "en"} {
			t.Run(vp.name+"-"+lang, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(browser.New(t, vp.width, vp.height), 2*time.Minute)
				defer cancel()
				css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
				if err := chromedp.Do(ctx,
					chromedp.EmulateViewport(int64(vp.width), int64(vp.height), chromedp.EmulateScale(1)),
					chromedp.Navigate(e.url+"/s/shop-1/default?lang="+lang),
					chromedp.WaitVisible(css("#send")),
				); err != nil {
					t.Fatal(err)
				}
				store, err := chromedp.Run(ctx, chromedp.Text(css(".store")))
				if err != nil {
					t.Fatal(err)
				}
				scales, err := chromedp.Run(ctx, chromedp.Evaluate[[][]box](`[...document.querySelectorAll('.scale')].map(s => [...s.querySelectorAll('label')].map(l => { const r = l.getBoundingClientRect(); return {X: r.x, Y: r.y, W: r.width, H: r.height} }))`))
				if err != nil {
					t.Fatal(err)
				}
				send, err := chromedp.Run(ctx, chromedp.Evaluate[box](`(() => { const r = document.querySelector('#send').getBoundingClientRect(); return {X: r.x, Y: r.y, W: r.width, H: r.height} })()`))
				if err != nil {
					t.Fatal(err)
				}
				main, err := chromedp.Run(ctx, chromedp.Evaluate[box](`(() => { const m = document.querySelector('main'), s = getComputedStyle(m), r = m.getBoundingClientRect(); return {X: r.x + parseFloat(s.paddingLeft), Y: r.y, W: r.width - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight), H: r.height} })()`))
				if err != nil {
					t.Fatal(err)
				}
				png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("survey-%s-%s.png", vp.name, lang)), png, 0o644); err != nil {
					t.Fatal(err)
				}
				if store != "Shop 1" {
					t.Errorf("the page names %q, want the store's name Shop 1", store)
				}
				if len(scales) != 3 || len(scales[0]) != 11 {
					t.Fatalf("scales %d, the first with %d buttons; want nps, csat, ces with 11 for nps", len(scales), len(scales[0]))
				}
				for i, sc := range scales {
					for _, b := range sc {
						if math.Abs(b.W-sc[0].W) > 0.5 || math.Abs(b.Y-sc[0].Y) > 0.5 {
							t.Errorf("scale %d: buttons %+v, want one row of equal widths", i, sc)
							break
						}
					}
					if last := sc[len(sc)-1]; last.X+last.W > main.X+main.W+0.5 || sc[0].X < main.X-0.5 {
						t.Errorf("scale %d overflows the content %+v: %+v", i, main, sc)
					}
					if sc[0].W < 24 || sc[0].H < 44 {
						t.Errorf("scale %d buttons are %.0fx%.0f px, below the 24 px width and 44 px height a finger needs", i, sc[0].W, sc[0].H)
					}
				}
				if send.X < main.X-0.5 || send.X+send.W > main.X+main.W+0.5 || send.H < 44 {
					t.Errorf("send button %+v not within the content %+v", send, main)
				}
				if vp.phone && math.Abs(send.W-main.W) > 1 {
					t.Errorf("on a phone the send button is %.0f px wide, want the content's %.0f", send.W, main.W)
				}
			})
		}
	}
}

type box struct{ X, Y, W, H float64 }
