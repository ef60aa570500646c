package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/cxm-project/cxm/ingest/ingesttest"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	cxmtest "github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/internal/testutil/browser"
)

// TestBrowser: a person answers the NPS survey by mouse and the maturity assessment by keyboard only, in
// headless Chromium; the result page shows the expected stage and both events reach Kafka.
func TestBrowser(t *testing.T) {
	k := cxmtest.Kafka(t)
	e := start(t, k, nil)
	dir := browser.Artifacts(t)

	ctx, cancel := context.WithTimeout(browser.New(t, 420, 900), 5*time.Minute) // a bound, not a measure: a loaded CI machine is slow
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
	text := func(sel string) string {
		s, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}

	// The NPS survey, by clicks.
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.url+"/s/shop-1/default?lang=en"),
		chromedp.WaitVisible(css("#send")),
		shot("survey-form.png"),
		chromedp.Click(css(`label:has(#nps-9)`)),
		chromedp.Click(css(`label:has(#csat-4)`)),
		chromedp.Click(css(`label:has(#ces-6)`)),
		chromedp.Click(css("#comment")),
		chromedp.KeyEvent("Fast and friendly"),
		chromedp.Click(css("#send")),
		chromedp.WaitVisible(css("#done")),
		shot("survey-thanks.png"),
	)
	if err != nil {
		t.Fatalf("survey: %v", err)
	}
	if done := text("#done"); !strings.Contains(done, "Thank you") {
		t.Errorf("survey answer page: %q", done)
	}

	// The assessment, keyboard only. Levels 3,3,3,3,2,2,2,2,4,1,1 score 2+2+2+2+1+1+1+1+3+0+0 = 15 of 33 points: round(95*15/33) =
	// 43, stage 3. The name field has focus on load; each question focuses its first option, Space selects
	// it, arrow keys move the selection, Enter continues.
	levels := []int{3, 3, 3, 3, 2, 2, 2, 2, 4, 1, 1}
	err = chromedp.Do(ctx,
		chromedp.Navigate(e.url+"/assessment?lang=en"),
		chromedp.WaitVisible(css("#name")),
		chromedp.KeyEvent("Ada"),
		chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent("ada@example.com"),
		chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(" "), // tick consent
		shot("assessment-start.png"),
		chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Enter), // "Start"
		chromedp.WaitVisible(css(`input[name="q1"]`)),
		shot("assessment-question.png"),
	)
	if err != nil {
		t.Fatalf("assessment start: %v", err)
	}
	if p := text("#progress"); p != "Question 1 of 11" {
		t.Errorf("progress %q", p)
	}
	for i, l := range levels {
		q := strconv.Itoa(i + 1)
		steps := []act{chromedp.WaitVisible(css(`input[name="q` + q + `"]`))}
		if i == 2 {
			// Back from question 3 with the keyboard (Tab: Next, Tab: Back), then Enter on question 2's
			// remembered answer.
			steps = append(steps, chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Enter),
				chromedp.WaitVisible(css(`input[name="q2"]:checked`)), chromedp.KeyEvent(kb.Enter),
				chromedp.WaitVisible(css(`input[name="q3"]`)))
		}
		steps = append(steps, chromedp.KeyEvent(" "))
		for range l - 1 {
			steps = append(steps, chromedp.KeyEvent(kb.ArrowDown))
		}
		steps = append(steps, chromedp.KeyEvent(kb.Enter))
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("question %s: %v", q, err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(css("#stage")), shot("assessment-result.png")); err != nil {
		t.Fatalf("result: %v", err)
	}
	stage, err := chromedp.Run(ctx, chromedp.AttributeValue(css("#stage"), "data-stage"))
	if err != nil {
		t.Fatal(err)
	}
	if result := text("#result"); stage.Value != "3" || !strings.Contains(result, "43 of 95") {
		t.Errorf("result: stage %q, %q; want stage 3, 43 of 95", stage.Value, result)
	}

	// Both events are in Kafka.
	var nps, maturity *event.Event
	deadline := time.Now().Add(10 * time.Second)
	for (nps == nil || maturity == nil) && time.Now().Before(deadline) {
		for _, m := range readEvents(t, k) {
			switch m.Survey {
			case "default":
				nps = &m
			case "cx-maturity":
				maturity = &m
			}
		}
	}
	if nps == nil || nps.Answers.NPS == nil || *nps.Answers.NPS != 9 || *nps.Answers.CSAT != 4 || *nps.Answers.CES != 6 ||
		nps.Answers.Comment != "Fast and friendly" || nps.Location != "shop-1" || nps.Device != "web" {
		t.Errorf("NPS event: %+v", nps)
	}
	if maturity == nil {
		t.Fatal("no assessment event")
	}
	for i, l := range levels {
		if int(maturity.Answers.Q[i]) != l {
			t.Errorf("q%d = %d, want %d", i+1, maturity.Answers.Q[i], l)
		}
	}
	if maturity.Location != "web" || !strings.Contains(string(maturity.Ext), `"email":"ada@example.com"`) {
		t.Errorf("assessment event: location %q ext %s", maturity.Location, maturity.Ext)
	}
}

// readEvents decodes every event in the events topic.
func readEvents(t *testing.T, k config.Kafka) []event.Event {
	var out []event.Event
	for _, m := range ingesttest.ReadAll(t, k, k.Topics.Events) {
		e, err := event.Decode(m.Value)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}
