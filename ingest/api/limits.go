package api

import (
	"net/http"
	"strconv"

	"github.com/cxm-project/cxm/internal/auth"
)

// precheck refuses a request before a byte of its body is read: a body announced larger than
// ingest.max_body_bytes (413), a token whose byte bucket cannot pay the announced length, or whose event
// or byte bucket is in debt (429 with Retry-After). A body without Content-Length is charged once read
// (charge), so a token that streams one pays for it on its next request.
func (h *Events) precheck(w http.ResponseWriter, r *http.Request, tok *auth.Token) *httpError {
	if r.ContentLength > h.cfg.MaxBodyBytes {
		return tooLarge("Content-Length %d is larger than ingest.max_body_bytes (%d bytes)", r.ContentLength, h.cfg.MaxBodyBytes)
	}
	now := h.now()
	if ok, wait := h.limiter.Bucket(tok.Name, tok.Rate, int64(tok.Burst)).Ready(now); !ok {
		w.Header().Set("Retry-After", seconds(wait))
		return &httpError{http.StatusTooManyRequests, "rate_limited", "token " + strconv.Quote(tok.Name) + " is over its rate limit of " +
			strconv.FormatFloat(tok.Rate, 'f', -1, 64) + " events/s; retry after " + seconds(wait) + " s"}
	}
	if tok.BytesRate <= 0 {
		return nil
	}
	b := h.limiter.Bucket("bytes\x00"+tok.Name, tok.BytesRate, tok.BytesBurst)
	if r.ContentLength > 0 {
		if ok, wait := b.Take(int(r.ContentLength), now); !ok {
			w.Header().Set("Retry-After", seconds(wait))
			return h.bytesLimited(tok)
		}
		return nil
	}
	if ok, wait := b.Ready(now); !ok {
		w.Header().Set("Retry-After", seconds(wait))
		return h.bytesLimited(tok)
	}
	return nil
}

// charge bills a body whose length was not announced, once read.
func (h *Events) charge(r *http.Request, tok *auth.Token, n int) {
	if r.ContentLength <= 0 && tok.BytesRate > 0 && n > 0 {
		h.limiter.Bucket("bytes\x00"+tok.Name, tok.BytesRate, tok.BytesBurst).Charge(int64(n), h.now())
	}
}

func (h *Events) bytesLimited(tok *auth.Token) *httpError {
	return &httpError{http.StatusTooManyRequests, "rate_limited", "token " + strconv.Quote(tok.Name) + " is over its byte limit of " +
		strconv.FormatFloat(tok.BytesRate, 'f', -1, 64) + " bytes/s (ingest.rate_limit.bytes_per_second, burst " +
		strconv.FormatInt(tok.BytesBurst, 10) + "); retry after Retry-After"}
}
