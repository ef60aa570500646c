package api

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/query"
	"github.com/cxm-project/cxm/internal/ratelimit"
)

// tokenLimits are each read token's request bucket and its cap on requests in flight. The tables hold one
// entry per configured token, so they are bounded by the config.
type tokenLimits struct {
	cfg     config.APILimits
	buckets *ratelimit.Limiter
	mu      sync.Mutex
	running map[string]int
}

func newTokenLimits(cfg config.APILimits) *tokenLimits {
	return &tokenLimits{cfg: cfg, buckets: ratelimit.New(), running: map[string]int{}}
}

// acquire admits one request of token or answers 429 naming the limit; release must follow an admission.
func (l *tokenLimits) acquire(w http.ResponseWriter, token string) bool {
	if l == nil || l.cfg.RequestsPerSecond <= 0 {
		return true
	}
	if ok, wait := l.buckets.Take(token, l.cfg.RequestsPerSecond, l.cfg.Burst, 1, time.Now()); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(max(1, (wait+time.Second-1)/time.Second))))
		writeJSON(w, http.StatusTooManyRequests, apiError{Error: http.StatusText(http.StatusTooManyRequests), Limit: "api.rate_limit.requests_per_second",
			Reason: "token " + strconv.Quote(token) + " is over " + strconv.FormatFloat(l.cfg.RequestsPerSecond, 'f', -1, 64) + " requests/s (burst " + strconv.Itoa(l.cfg.Burst) + ")"})
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.running[token] >= l.cfg.MaxConcurrent {
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusTooManyRequests, apiError{Error: http.StatusText(http.StatusTooManyRequests), Limit: "api.rate_limit.max_concurrent",
			Reason: "token " + strconv.Quote(token) + " already has " + strconv.Itoa(l.cfg.MaxConcurrent) + " requests running"})
		return false
	}
	l.running[token]++
	return true
}

func (l *tokenLimits) release(token string) {
	if l == nil || l.cfg.RequestsPerSecond <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.running[token]--; l.running[token] <= 0 {
		delete(l.running, token)
	}
}

// csvText marks the CSV columns holding text from the outside world. Only those are neutralised: numeric
// columns (a refund's negative amount) must stay numbers.
func neutralise(rec []string, text []bool) {
	for i, s := range rec {
		if text[i] {
			rec[i] = safeCell(s)
		}
	}
}

// safeCell keeps a spreadsheet from reading a text cell as a formula (OWASP CSV injection): a cell that
// starts with = + - @, a tab or a carriage return gets a leading apostrophe, which Excel and LibreOffice
// show as text and do not display.
func safeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// eventTextColumns are query.EventColumns' text columns.
var eventTextColumns = func() []bool {
	text := map[string]bool{"id": true, "type": true, "location": true, "device": true, "kind": true, "subject": true,
		"receipt": true, "currency": true, "seller": true, "survey": true, "comment": true, "ext": true, "misuse": true}
	out := make([]bool, len(query.EventColumns))
	for i, c := range query.EventColumns {
		out[i] = text[c]
	}
	return out
}()

// kpiTextColumns are kpiColumns' text columns.
var kpiTextColumns = []bool{true, true, true, false, false, false, false, false}

// limitedWriter stops an export at api.max_export_bytes: the write that would cross it fails, the stream
// ends, and the trailer X-CXM-Export-Error names the limit (the status line is long gone by then).
type limitedWriter struct {
	w     io.Writer
	limit int64
	n     int64
	hit   bool
}

var errExportTooLarge = errors.New("export larger than api.max_export_bytes")

func (lw *limitedWriter) Write(p []byte) (int, error) {
	if lw.limit > 0 && lw.n+int64(len(p)) > lw.limit {
		lw.hit = true
		return 0, errExportTooLarge
	}
	n, err := lw.w.Write(p)
	lw.n += int64(n)
	return n, err
}

// exportTrailer is declared before a streamed export's body, so the limit can be reported after it.
const exportTrailer = "X-CXM-Export-Error"
