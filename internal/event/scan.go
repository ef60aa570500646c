package event

import (
	"encoding/binary"
	"math/bits"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds nesting inside ext and skipped values: deeper documents are not events, and the bound keeps
// a hostile input from costing more than its length.
const maxDepth = 64

// decoder is a single-pass JSON reader specialised for one flat event object. It reads number literals as
// text (so amounts never pass through a float), sees duplicate keys, and knows which field it is in, which
// encoding/json cannot tell us without a second, map-based pass.
type decoder struct {
	data   []byte
	pos    int
	syntax string // set on the first syntax error; decoding stops there
	errs   Errors
	has    fieldSet
	ahas   answerSet
	buf    []byte // scratch for strings with escapes; valid until the next readString
}

func (d *decoder) fail(what string) bool {
	if d.syntax == "" {
		d.syntax = "invalid JSON: " + what + " at offset " + strconv.Itoa(d.pos)
	}
	return false
}

func (d *decoder) peek() byte {
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

func (d *decoder) ws() {
	// Compact JSON has no whitespace: one comparison, inlined, settles most calls.
	if d.pos < len(d.data) && d.data[d.pos] > ' ' {
		return
	}
	d.skipWS()
}

func (d *decoder) skipWS() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// expect consumes c after optional whitespace.
func (d *decoder) expect(c byte, what string) bool {
	d.ws()
	if d.peek() != c {
		return d.fail("expected " + what)
	}
	d.pos++
	d.ws()
	return true
}

// readString reads the string at d.pos (a '"'). The result aliases the input when the string has no escapes,
// and d.buf otherwise, so callers copy it before reading the next string.
func (d *decoder) readString() ([]byte, bool) {
	start := d.pos + 1
	data := d.data
	for i := start; ; {
		i = plainRun(data, i)
		if i >= len(data) {
			break
		}
		switch c := data[i]; {
		case c == '"':
			d.pos = i + 1
			return data[start:i], true
		case c == '\\':
			return d.readEscaped(start, i)
		case c < 0x20:
			d.pos = i
			return nil, d.fail("control character in string")
		default:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				d.pos = i
				return nil, d.fail("invalid UTF-8 in string")
			}
			i += size
		}
	}
	d.pos = len(data)
	return nil, d.fail("unterminated string")
}

// plainRun returns the index of the first byte at or after i that ends a run of plain string characters:
// '"', '\\', a control character or a non-ASCII byte (len(b) if none). It tests eight bytes at a time.
func plainRun(b []byte, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		// Per byte, the high bit of m is set for a byte < 0x20, == '"', == '\\' or >= 0x80. The lowest set
		// bit is always right (the borrows of the subtractions only affect bytes above a match).
		q, bs := w^(ones*'"'), w^(ones*'\\')
		m := ((w - ones*0x20) &^ w) | ((q - ones) &^ q) | ((bs - ones) &^ bs) | w
		if m &= highs; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			return i
		}
	}
	return i
}

func (d *decoder) readEscaped(start, i int) ([]byte, bool) {
	b := append(d.buf[:0], d.data[start:i]...)
	for i < len(d.data) {
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			d.buf = b
			return b, true
		case c == '\\':
			if i+1 >= len(d.data) {
				d.pos = i
				return nil, d.fail("unterminated string")
			}
			switch e := d.data[i+1]; e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, ok := hex4(d.data, i+2)
				if !ok {
					d.pos = i
					return nil, d.fail(`invalid \u escape`)
				}
				if utf16.IsSurrogate(r) {
					// Only a high surrogate followed by a low one is a character; a lone half would have to be
					// replaced by U+FFFD, silently changing the text, so it is rejected instead.
					r2, ok := rune(0), false
					if r < 0xDC00 && i+12 <= len(d.data) && d.data[i+6] == '\\' && d.data[i+7] == 'u' {
						r2, ok = hex4(d.data, i+8)
					}
					if !ok || r2 < 0xDC00 || r2 > 0xDFFF {
						d.pos = i
						return nil, d.fail(`unpaired UTF-16 surrogate in \u escape`)
					}
					r = utf16.DecodeRune(r, r2)
					i += 6
				}
				b = utf8.AppendRune(b, r)
				i += 4
			default:
				d.pos = i
				return nil, d.fail("invalid escape in string")
			}
			i += 2
		case c < 0x20:
			d.pos = i
			return nil, d.fail("control character in string")
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRune(d.data[i:])
			if r == utf8.RuneError && size == 1 {
				d.pos = i
				return nil, d.fail("invalid UTF-8 in string")
			}
			b = append(b, d.data[i:i+size]...)
			i += size
		}
	}
	d.pos = len(d.data)
	return nil, d.fail("unterminated string")
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// readNumber returns the literal text of the JSON number at d.pos.
func (d *decoder) readNumber() ([]byte, bool) {
	start, i, n := d.pos, d.pos, len(d.data)
	digits := func() int {
		j := i
		for i < n && d.data[i] >= '0' && d.data[i] <= '9' {
			i++
		}
		return i - j
	}
	if i < n && d.data[i] == '-' {
		i++
	}
	if i < n && d.data[i] == '0' {
		i++
	} else if digits() == 0 {
		d.pos = i
		return nil, d.fail("invalid number")
	}
	if i < n && d.data[i] == '.' {
		i++
		if digits() == 0 {
			d.pos = i
			return nil, d.fail("invalid number")
		}
	}
	if i < n && (d.data[i] == 'e' || d.data[i] == 'E') {
		i++
		if i < n && (d.data[i] == '+' || d.data[i] == '-') {
			i++
		}
		if digits() == 0 {
			d.pos = i
			return nil, d.fail("invalid number")
		}
	}
	d.pos = i
	return d.data[start:i], true
}

func (d *decoder) readLiteral(lit string) bool {
	if len(d.data)-d.pos < len(lit) || string(d.data[d.pos:d.pos+len(lit)]) != lit {
		return d.fail("invalid literal")
	}
	d.pos += len(lit)
	return true
}

// skipValue checks and steps over any JSON value.
func (d *decoder) skipValue(depth int) bool {
	switch c := d.peek(); {
	case c == '{' || c == '[':
		if depth == maxDepth {
			return d.fail("nesting deeper than " + strconv.Itoa(maxDepth))
		}
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		if d.open(end) {
			return true
		}
		for {
			if c == '{' {
				if d.peek() != '"' {
					return d.fail("expected a field name")
				}
				if _, ok := d.readString(); !ok {
					return false
				}
				if !d.expect(':', "':'") {
					return false
				}
			}
			if !d.skipValue(depth + 1) {
				return false
			}
			if more, ok := d.next(end); !more {
				return ok
			}
		}
	case c == '"':
		_, ok := d.readString()
		return ok
	case c == 't':
		return d.readLiteral("true")
	case c == 'f':
		return d.readLiteral("false")
	case c == 'n':
		return d.readLiteral("null")
	case c == '-' || (c >= '0' && c <= '9'):
		_, ok := d.readNumber()
		return ok
	case d.pos >= len(d.data):
		return d.fail("unexpected end of input")
	default:
		return d.fail("unexpected character " + strconv.QuoteRune(rune(c)))
	}
}

// intLiteral reads an integer literal; a fraction or exponent is a type error (not an integer), not a syntax
// error. Magnitudes beyond any limit saturate so range checks still see them as too large.
func intLiteral(lit []byte) (v int64, isInt bool) {
	neg := lit[0] == '-'
	if neg {
		lit = lit[1:]
	}
	for _, c := range lit {
		if c < '0' || c > '9' {
			return 0, false
		}
		if v < 1e15 {
			v = v*10 + int64(c-'0')
		}
	}
	if neg {
		v = -v
	}
	return v, true
}

// compactJSON removes insignificant whitespace from a valid JSON value so ext round-trips byte for byte.
func compactJSON(dst, src []byte) []byte {
	inString, escaped := false, false
	for _, c := range src {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			dst = append(dst, c)
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '"':
			inString = true
		}
		dst = append(dst, c)
	}
	return dst
}
