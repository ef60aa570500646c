package api

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// httpError is a whole-request refusal: status code and a message naming the limit or the problem.
type httpError struct {
	code   int
	reason string // metrics label
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func tooLarge(format string, args ...any) *httpError {
	return &httpError{http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) *httpError {
	return &httpError{http.StatusBadRequest, "bad_request", fmt.Sprintf(format, args...)}
}

// readBody reads the body into buf, gunzipping it when Content-Encoding says so. The limit applies to the
// bytes sent and again to the bytes after gunzip, so a small gzip bomb cannot expand into memory.
func readBody(w http.ResponseWriter, r *http.Request, limit int64, buf *bytes.Buffer) error {
	body := http.MaxBytesReader(w, r.Body, limit)
	var src io.Reader = body
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			if isMaxBytes(err) {
				return tooLarge("body larger than ingest.max_body_bytes (%d bytes)", limit)
			}
			return badRequest("Content-Encoding gzip: %v", err)
		}
		defer zr.Close()
		src = zr
	default:
		return &httpError{http.StatusUnsupportedMediaType, "bad_request", fmt.Sprintf("Content-Encoding %q is not supported: send gzip or nothing", enc)}
	}
	n, err := buf.ReadFrom(io.LimitReader(src, limit+1))
	switch {
	case isMaxBytes(err):
		return tooLarge("body larger than ingest.max_body_bytes (%d bytes)", limit)
	case err != nil:
		return badRequest("reading the body: %v", err)
	case n > limit:
		return tooLarge("body larger than ingest.max_body_bytes (%d bytes) after gunzip", limit)
	}
	return nil
}

func isMaxBytes(err error) bool {
	var mb *http.MaxBytesError
	return errors.As(err, &mb)
}

// isNDJSON reports whether the content type announces one JSON object per line.
func isNDJSON(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines", "application/jsonlines":
		return true
	}
	return false
}

// split cuts the body into one slice per event: each non-blank line of NDJSON, each element of a JSON
// array, or the body itself when it is one object. It stops at max+1 events so the caller can refuse.
// Syntax errors inside an event are left to event.Parse, which names them per event; only a broken array
// frame fails the whole request.
// A UTF-8 byte-order mark at the start (Windows tools write one) is skipped: JSON text may not start with
// one (RFC 8259), but it carries no data and refusing it would only puzzle the sender.
func split(body []byte, ndjson bool, max int, out [][]byte) ([][]byte, error) {
	body = bytes.TrimPrefix(body, utf8BOM)
	if ndjson {
		for len(body) > 0 && len(out) <= max {
			line := body
			if i := bytes.IndexByte(body, '\n'); i >= 0 {
				line, body = body[:i], body[i+1:]
			} else {
				body = nil
			}
			if line = bytes.TrimSpace(line); len(line) > 0 {
				out = append(out, line)
			}
		}
		return out, nil
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return out, nil
	}
	if trimmed[0] != '[' {
		return append(out, trimmed), nil
	}
	return splitArray(trimmed, max, out)
}

var utf8BOM = []byte("\ufeff")

// splitArray finds the top-level elements of a JSON array by tracking strings and nesting only.
func splitArray(b []byte, max int, out [][]byte) ([][]byte, error) {
	i := 1
	i += wsLen(b[i:])
	if i < len(b) && b[i] == ']' {
		if len(bytes.TrimSpace(b[i+1:])) > 0 {
			return nil, badRequest("unexpected data after the JSON array")
		}
		return out, nil
	}
	for len(out) <= max {
		start, depth, inStr := i, 0, false
	scan:
		for ; i < len(b); i++ {
			c := b[i]
			if inStr {
				if c == '\\' {
					i++
				} else if c == '"' {
					inStr = false
				}
				continue
			}
			switch c {
			case '"':
				inStr = true
			case '{', '[':
				depth++
			case '}', ']':
				if depth == 0 {
					break scan
				}
				depth--
			case ',':
				if depth == 0 {
					break scan
				}
			}
		}
		if i >= len(b) {
			return nil, badRequest("the JSON array is not closed (missing ])")
		}
		elem := bytes.TrimSpace(b[start:i])
		if len(elem) == 0 {
			return nil, badRequest("empty element at index %d of the JSON array", len(out))
		}
		out = append(out, elem)
		if b[i] == ']' {
			if len(bytes.TrimSpace(b[i+1:])) > 0 {
				return nil, badRequest("unexpected data after the JSON array")
			}
			return out, nil
		}
		i++ // the comma
	}
	return out, nil
}

func wsLen(b []byte) int {
	n := 0
	for n < len(b) && (b[n] == ' ' || b[n] == '\t' || b[n] == '\n' || b[n] == '\r') {
		n++
	}
	return n
}
