package api

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// appendResults writes the answer:
// {"accepted":n,"duplicates":n,"rejected":n,"results":[{"index":i,"id":..,"status":..,"errors":[..]}]}.
// It is written by hand because at 1,000 events per request encoding/json's reflection was a visible share
// of the handler's time.
func appendResults(b []byte, items []item) []byte {
	var acc, dup, rej int
	for i := range items {
		switch items[i].status {
		case statusAccepted:
			acc++
		case statusDuplicate:
			dup++
		default:
			rej++
		}
	}
	b = append(b, `{"accepted":`...)
	b = strconv.AppendInt(b, int64(acc), 10)
	b = append(b, `,"duplicates":`...)
	b = strconv.AppendInt(b, int64(dup), 10)
	b = append(b, `,"rejected":`...)
	b = strconv.AppendInt(b, int64(rej), 10)
	b = append(b, `,"results":[`...)
	for i := range items {
		it := &items[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"index":`...)
		b = strconv.AppendInt(b, int64(i), 10)
		id := it.ev.ID
		if id == "" && it.status == statusRejected {
			id = looseID(it.raw)
		}
		if id != "" {
			b = append(b, `,"id":`...)
			b = appendString(b, id)
		}
		switch it.status {
		case statusAccepted:
			b = append(b, `,"status":"accepted"}`...)
		case statusDuplicate:
			b = append(b, `,"status":"duplicate"}`...)
		default:
			b = append(b, `,"status":"rejected","errors":[`...)
			for j, e := range it.errs {
				if j > 0 {
					b = append(b, ',')
				}
				b = append(b, `{"field":`...)
				b = appendString(b, e.Field)
				b = append(b, `,"reason":`...)
				b = appendString(b, e.Reason)
				b = append(b, '}')
			}
			b = append(b, "]}"...)
		}
	}
	return append(b, "]}\n"...)
}

// looseID digs the id out of a rejected event when it is at least a JSON string, so the client can match
// the rejection to its record even when the index is not enough.
func looseID(raw []byte) string {
	var v struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal(raw, &v) != nil || len(v.ID) == 0 || v.ID[0] != '"' {
		return ""
	}
	var s string
	if json.Unmarshal(v.ID, &s) != nil || len(s) > 256 {
		return ""
	}
	return s
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return append(b, '"')
}
