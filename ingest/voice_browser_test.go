package ingest_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/objstore"
	cxmtest "github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/internal/testutil/browser"
)

// TestBrowserVoiceRecorder: on a phone-sized page, Record uses the microphone (Chromium's fake device),
// Stop puts the recording into the form's file input and shows a player, and the posted message carries a
// recording the object store holds as WebM audio.
func TestBrowserVoiceRecorder(t *testing.T) {
	k := cxmtest.Kafka(t)
	objects := t.TempDir()
	e := start(t, k, func(c *config.Config) { c.ObjStore.Dir = objects })
	dir := browser.Artifacts(t)
	ctx, cancel := context.WithTimeout(browser.New(t, 390, 844,
		chromedp.Flag("use-fake-device-for-media-stream", true), chromedp.Flag("use-fake-ui-for-media-stream", true)), 3*time.Minute) // a bound, not a measure
	defer cancel()
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	waitJS := func(expr string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second))(ctx, tg)
			return err
		})
	}
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			buf, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, name), buf, 0o644)
		})
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.url+"/m/shop-1?lang=ru"),
		chromedp.WaitVisible(css("#send")),
		waitJS(`!document.querySelector('#rec').hidden`),
		chromedp.Click(css(`label:has(#kind-suggestion)`)),
		chromedp.Click(css("#rec-start")),
		waitJS(`!document.querySelector('#rec-stop').hidden && /^[2-9] /.test(document.querySelector('#rec-time').textContent)`),
		shot("voice-recording-ru-390.png"),
		chromedp.Click(css("#rec-stop")),
		waitJS(`document.querySelector('#voice').files.length === 1 && !document.querySelector('#rec-play').hidden`),
		shot("voice-recorded-ru-390.png"),
		chromedp.Click(css("#send")),
		chromedp.WaitVisible(css("#done")),
	)
	if err != nil {
		sctx, c := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer c()
		state, _ := chromedp.Run(sctx, chromedp.Evaluate[string](`JSON.stringify({mr: typeof MediaRecorder, md: typeof navigator.mediaDevices, dt: typeof DataTransfer, sec: window.isSecureContext, url: location.href, rec: !document.querySelector('#rec').hidden, time: document.querySelector('#rec-time').textContent, stop: !document.querySelector('#rec-stop').hidden})`))
		t.Fatalf("%v; page: %s", err, state)
	}
	store, err := objstore.NewLocal(objects, objstore.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range readEvents(t, k) {
		if ev.Type != event.TypeMessage {
			continue
		}
		n++
		if ev.Kind != event.KindSuggestion || ev.Message.Text != "" || !strings.HasPrefix(ev.Message.Voice, "messages/shop-1/") {
			t.Fatalf("message %s %+v", ev.Kind, ev.Message)
		}
		rc, info, err := store.Get(context.Background(), ev.Message.Voice)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		// Two seconds of Opus in WebM are a few kilobytes.
		if info.ContentType != "video/webm" || len(b) < 1000 {
			t.Errorf("recording: %d bytes of %s", len(b), info.ContentType)
		}
	}
	if n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}
