package ingest_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/objstore"
	cxmtest "github.com/cxm-project/cxm/internal/testutil"
)

// Recordings as phones write them: their first bytes are what the sniffer judges.
var (
	oggVoice  = append([]byte("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00"), bytes.Repeat([]byte{7}, 2000)...)
	webmVoice = append([]byte{0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01, 0x42, 0x82, 0x84, 'w', 'e', 'b', 'm'}, bytes.Repeat([]byte{3}, 3000)...)
	pngFile   = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{1}, 500)...)
)

// TestMessageVoice: a recording posted with the message form is stored under messages/<location>/ with
// its sniffed type, and the message event carries its key; a file that is not audio, or one over
// voice.max_bytes, is refused with a clear error and nothing is stored or written.
func TestMessageVoice(t *testing.T) {
	k := cxmtest.Kafka(t)
	dir := t.TempDir()
	const max = 8 << 10
	e := start(t, k, func(c *config.Config) {
		c.ObjStore.Dir = dir
		c.Voice.MaxBytes = max
	})
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	page := e.url + "/m/shop-1"
	resp, err := c.Get(page + "?lang=en")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`enctype="multipart/form-data"`, `id="voice" name="voice" accept="audio/*" capture`, "personal data"} {
		if !strings.Contains(string(b), want) {
			t.Fatalf("the message page lacks %q", want)
		}
	}
	post := func(fields url.Values, file []byte) (int, string) {
		fields = withNonce(t, c, page, fields)
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for k, vs := range fields {
			for _, v := range vs {
				_ = mw.WriteField(k, v)
			}
		}
		if file != nil {
			fw, _ := mw.CreateFormFile("voice", "voice.mp3") // the name says audio whatever the bytes are
			_, _ = fw.Write(file)
		}
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, page+"?lang=en", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, tc := range []struct {
		name   string
		form   url.Values
		file   []byte
		code   int
		answer string
	}{
		{"ogg with words", url.Values{"kind": {"complaint"}, "text": {"Грубый кассир"}}, oggVoice, 200, "look into it"},
		{"webm alone, no words", url.Values{"kind": {"thanks"}}, webmVoice, 200, "received"},
		{"a photo is not audio", url.Values{"kind": {"complaint"}, "text": {"photo"}}, pngFile, 415, "not an audio recording (the file is image/png)"},
		{"text is not audio", url.Values{"kind": {"complaint"}, "text": {"txt"}}, []byte("just some words, no audio at all"), 415, "the file is text/plain"},
		{"over voice.max_bytes", url.Values{"kind": {"complaint"}, "text": {"long"}}, append(oggVoice[:14:14], make([]byte, max)...), 413, "at most 0.0078125 MB"},
		{"far over the form limit", url.Values{"kind": {"complaint"}, "text": {"huge"}}, append(oggVoice[:14:14], make([]byte, 4*max)...), 413, "at most 0.0078125 MB"},
		{"no words, no recording", url.Values{"kind": {"thanks"}}, []byte{}, 400, "or record it"},
	} {
		code, body := post(tc.form, tc.file)
		if code != tc.code || !strings.Contains(body, tc.answer) {
			t.Errorf("%s: %d, want %d ~%q", tc.name, code, tc.code, tc.answer)
		}
	}
	store, err := objstore.NewLocal(dir, objstore.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	_ = store.List(context.Background(), "", func(i objstore.Info) error { keys = append(keys, i.Key); return nil })
	if len(keys) != 2 {
		t.Errorf("%d objects stored (%v), want the 2 accepted recordings", len(keys), keys)
	}
	want := map[string][]byte{"complaint": oggVoice, "thanks": webmVoice}
	wantType := map[string]string{"complaint": "application/ogg", "thanks": "video/webm"}
	n := 0
	for _, ev := range readEvents(t, k) {
		if ev.Type != event.TypeMessage {
			continue
		}
		n++
		key := ev.Message.Voice
		if !strings.HasPrefix(key, "messages/shop-1/") {
			t.Errorf("%s message: voice %q, want a key under messages/shop-1/", ev.Kind, key)
			continue
		}
		rc, info, err := store.Get(context.Background(), key)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(got, want[ev.Kind]) || info.ContentType != wantType[ev.Kind] {
			t.Errorf("%s: stored %d bytes of %s, want %d of %s", key, len(got), info.ContentType, len(want[ev.Kind]), wantType[ev.Kind])
		}
	}
	if n != 2 {
		t.Errorf("%d messages in Kafka, want the 2 accepted", n)
	}
}
