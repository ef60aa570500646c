package maturity

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
)

// browserCookie holds a random browser id; the form's csrf field is an HMAC of it and the session id.
// SameSite=Strict keeps it off cross-site posts, and without it no session validates: that is the CSRF
// defence, together with the Origin check (web.SameOrigin).
const browserCookie = "cxm_as"

// sessionKey is the HMAC key: the shared ingest.cookie_secret (several instances must agree), else random
// per process.
func sessionKey(secret string) []byte {
	if secret != "" {
		return []byte("assessment\x00" + secret)
	}
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}

// startSession issues a session id for this browser (setting its cookie when it has none).
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, f *form) {
	bid := ""
	if c, err := r.Cookie(browserCookie); err == nil && len(c.Value) == 32 && isHex(c.Value) {
		bid = c.Value
	} else {
		bid = newSID()
		http.SetCookie(w, &http.Cookie{Name: browserCookie, Value: bid, Path: "/assessment", HttpOnly: true,
			Secure: h.secure, SameSite: http.SameSiteStrictMode})
	}
	f.SID = newSID()
	f.CSRF = h.mac(bid, f.SID)
}

// validSession: sid is 32 hex digits and csrf is its HMAC with this browser's cookie.
func (h *Handler) validSession(r *http.Request, sid, csrf string) bool {
	c, err := r.Cookie(browserCookie)
	if err != nil || len(sid) != 32 || !isHex(sid) || len(c.Value) != 32 {
		return false
	}
	return hmac.Equal([]byte(csrf), []byte(h.mac(c.Value, sid)))
}

func (h *Handler) mac(bid, sid string) string {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(bid + "|" + sid))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil
}

// enterScript is the page's one script: Enter on a selected option continues. Its hash is in pageCSP, so
// no other script can run on the page.
const enterScript = `
document.getElementById('f').addEventListener('keydown', function (e) {
  if (e.key === 'Enter' && e.target.type === 'radio') {
    e.preventDefault();
    if (!this.querySelector('input[name="' + e.target.name + '"]:checked')) e.target.checked = true;
    this.requestSubmit(document.getElementById('next'));
  }
});
`

var pageCSP = func() string {
	sum := sha256.Sum256([]byte(enterScript))
	return "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
}()
