package survey

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/evidence"
	"github.com/cxm-project/cxm/internal/objstore"
)

// A customer may leave a short voice recording with a message. The page records it in the browser
// (MediaRecorder) or takes a file from the phone's recorder, and posts it with the form (multipart): no
// separate public upload, so the form's single-use nonce and the survey guard bound what can be stored. A
// recording goes to the object store under messages/<location>/ (evidence.NewVoiceKey), the type sniffed
// from its bytes; the message event carries the key in message.voice.

type voiceStore struct {
	cfg   config.Voice
	store objstore.Store // nil: recordings are off
}

// WithVoice turns recordings on, stored in store (opened with the voice policy).
// retention is privacy.retention, which the page tells the person.
func (h *Handler) WithVoice(cfg config.Voice, retention time.Duration, store objstore.Store) *Handler {
	h.voice = voiceStore{cfg: cfg, store: store}
	h.privacyRetention = retention
	return h
}

// formLimit is the largest message form body: the words plus, with recordings on, one recording.
func (h *Handler) formLimit() int64 {
	const words = 32 << 10
	if h.voice.store == nil {
		return words
	}
	return words + h.voice.cfg.MaxBytes
}

// errNoVoice: the form carried no recording.
var errNoVoice = errors.New("no recording")

// saveVoice stores the form's recording of loc. It answers the key, errNoVoice when there is none, or an
// error whose message the person reads (in their language) with the status to answer.
func (h *Handler) saveVoice(ctx context.Context, r *http.Request, loc, lang string) (string, int, error) {
	if h.voice.store == nil || r.MultipartForm == nil {
		return "", 0, errNoVoice
	}
	f, fh, err := r.FormFile("voice")
	if errors.Is(err, http.ErrMissingFile) || err == nil && fh.Size == 0 {
		if f != nil {
			f.Close()
		}
		return "", 0, errNoVoice
	}
	if err != nil {
		return "", http.StatusBadRequest, errors.New(tr(lang, "Не удалось прочитать запись.", "The recording could not be read."))
	}
	defer f.Close()
	info, err := h.voice.store.Put(ctx, evidence.NewVoiceKey(loc, h.now()), f)
	var (
		tl *objstore.TooLargeError
		te *objstore.TypeError
	)
	switch {
	case errors.As(err, &tl):
		return "", http.StatusRequestEntityTooLarge, h.tooLong(lang)
	case errors.As(err, &te):
		return "", http.StatusUnsupportedMediaType, fmt.Errorf(tr(lang, "Это не аудиозапись (файл — %s). Запишите голос или выберите аудиофайл.",
			"This is not an audio recording (the file is %s). Record your voice or choose an audio file."), te.Sniffed)
	case err != nil:
		h.log.Warn("voice not stored", "location", loc, "err", err)
		return "", http.StatusServiceUnavailable, errors.New(tr(lang, "Не удалось сохранить запись, попробуйте через минуту.", "The recording could not be saved; please try again in a minute."))
	}
	return info.Key, 0, nil
}

// dropVoice deletes a stored recording whose message was not written.
func (h *Handler) dropVoice(key string) {
	if key == "" || h.voice.store == nil {
		return
	}
	if err := h.voice.store.Delete(context.Background(), key); err != nil {
		h.log.Warn("orphan recording not deleted", "key", key, "err", err)
	}
}

// tooLong is the answer to a recording over voice.max_bytes.
func (h *Handler) tooLong(lang string) error {
	return fmt.Errorf(tr(lang, "Запись слишком длинная: не больше %s МБ.", "The recording is too long: at most %s MB."), h.voiceMB())
}

// voiceMB is voice.max_bytes in MiB as people read it ("5", "0.5").
func (h *Handler) voiceMB() string {
	return strconv.FormatFloat(float64(h.voice.cfg.MaxBytes)/(1<<20), 'f', -1, 64)
}

// recorderCSP is the message page's policy with recordings on: the default one plus the recorder's script
// from this origin and the preview player's blob: source.
const recorderCSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; media-src blob:; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func serveRecorder(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = io.WriteString(w, recorderJS)
}

// recorderJS records in the browser where it can; the file input stays as the fallback and carries the
// recording either way. Its words come from the page (data- attributes of #rec), in the page's language.
const recorderJS = `(() => {
  const input = document.getElementById('voice'), play = document.getElementById('rec-play'), box = document.getElementById('rec');
  if (!input || !box) return;
  const start = document.getElementById('rec-start'), stop = document.getElementById('rec-stop'), time = document.getElementById('rec-time');
  const say = box.dataset, max = Number(say.maxBytes), maxSeconds = 120;
  const show = (f) => { play.src = URL.createObjectURL(f); play.hidden = false; };
  input.addEventListener('change', () => { if (input.files.length) show(input.files[0]); });
  if (!window.MediaRecorder || !navigator.mediaDevices || !window.DataTransfer) return;
  box.hidden = false;
  let rec = null, timer = 0;
  start.addEventListener('click', async () => {
    let stream;
    try { stream = await navigator.mediaDevices.getUserMedia({audio: true}); } catch (e) { time.textContent = say.noMic; return; }
    const chunks = [], began = Date.now();
    rec = new MediaRecorder(stream);
    rec.ondataavailable = (e) => { if (e.data.size) chunks.push(e.data); };
    rec.onstop = () => {
      clearInterval(timer);
      stream.getTracks().forEach((tr) => tr.stop());
      const type = (rec.mimeType || 'audio/webm').split(';')[0];
      const f = new File(chunks, 'voice.' + (type.split('/')[1] || 'webm'), {type});
      const dt = new DataTransfer(); dt.items.add(f); input.files = dt.files;
      show(f); start.hidden = false; stop.hidden = true;
      time.textContent = f.size > max ? say.tooLong : say.recorded + ' ' + Math.round((Date.now() - began) / 1000) + ' ' + say.sec;
    };
    rec.start(1000);
    start.hidden = true; stop.hidden = false;
    timer = setInterval(() => {
      const s = Math.round((Date.now() - began) / 1000);
      time.textContent = s + ' ' + say.sec;
      if (s >= maxSeconds && rec.state === 'recording') rec.stop();
    }, 500);
  });
  stop.addEventListener('click', () => { if (rec && rec.state === 'recording') rec.stop(); });
})();
`
