package event

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// TestPlainRun checks the eight-bytes-at-a-time scan against the byte-by-byte rule, at every alignment, with
// the special bytes and their neighbours (0x1f/0x20, 0x21..0x23, 0x5b..0x5d, 0x7f/0x80, 0xff) in every
// position.
func TestPlainRun(t *testing.T) {
	special := []byte{0x00, 0x1f, 0x20, 0x21, '"', 0x23, 0x5b, '\\', 0x5d, 0x7f, 0x80, 0xc3, 0xff, 'a'}
	want := func(b []byte, i int) int {
		for ; i < len(b); i++ {
			if c := b[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
				return i
			}
		}
		return i
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for n := 0; n < 40; n++ {
		for trial := 0; trial < 300; trial++ {
			b := make([]byte, n)
			for i := range b {
				if rng.IntN(4) == 0 {
					b[i] = special[rng.IntN(len(special))]
				} else {
					b[i] = byte('a' + rng.IntN(26))
				}
			}
			for i := 0; i <= n; i++ {
				if got, w := plainRun(b, i), want(b, i); got != w {
					t.Fatalf("plainRun(%q, %d) = %d, want %d", b, i, got, w)
				}
			}
		}
	}
}

// TestReadString compares readString with a plain decoder of JSON strings on random strings: escapes,
// control characters, valid and broken UTF-8, unterminated.
func TestReadString(t *testing.T) {
	pieces := []string{"a", "Z", " ", "é", "жёлтый", "😀", `\"`, `\\`, `\/`, `\n`, `\u0041`, `\u00e9`, `\ud83d\ude00`,
		"\x01", "\x7f", "\xff", "\xc3", "\xe2\x82", `\x`, `\u12`, `\ud83d`, "\t"}
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := 0; trial < 20000; trial++ {
		in := `"`
		for range rng.IntN(12) {
			in += pieces[rng.IntN(len(pieces))]
		}
		if rng.IntN(10) > 0 {
			in += `"`
		}
		in += `,"x":1}`[:rng.IntN(8)]
		d := decoder{data: []byte(in)}
		got, ok := d.readString()
		want, wantOK := refString(in)
		if ok != wantOK || (ok && (string(got) != want || d.pos != len(in)-len(trailing(in)))) {
			t.Fatalf("readString(%q) = %q, %v (pos %d), want %q, %v", in, got, ok, d.pos, want, wantOK)
		}
	}
}

// trailing is what follows the closing quote of the string that starts in.
func trailing(in string) string {
	for i := 1; i < len(in); i++ {
		switch in[i] {
		case '\\':
			i++
		case '"':
			return in[i+1:]
		}
	}
	return ""
}

// refString decodes the JSON string at the start of in byte by byte, with readString's rules.
func refString(in string) (string, bool) {
	var out []byte
	for i := 1; i < len(in); {
		c := in[i]
		switch {
		case c == '"':
			return string(out), true
		case c < 0x20:
			return "", false
		case c == '\\':
			if i+1 >= len(in) {
				return "", false
			}
			switch e := in[i+1]; e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'n':
				out = append(out, '\n')
			case 'u':
				r, ok := refHex(in, i+2)
				if !ok {
					return "", false
				}
				if r >= 0xD800 && r < 0xDC00 {
					if i+12 > len(in) || in[i+6:i+8] != `\u` {
						return "", false
					}
					r2, ok := refHex(in, i+8)
					if !ok || r2 < 0xDC00 || r2 > 0xDFFF {
						return "", false
					}
					r = (r-0xD800)<<10 | (r2 - 0xDC00) + 0x10000
					i += 6
				} else if r >= 0xDC00 && r <= 0xDFFF {
					return "", false
				}
				out = utf8.AppendRune(out, r)
				i += 4
			default:
				return "", false
			}
			i += 2
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(in[i:])
			if r == utf8.RuneError && size == 1 {
				return "", false
			}
			out = append(out, in[i:i+size]...)
			i += size
		}
	}
	return "", false
}

func refHex(in string, i int) (rune, bool) {
	if i+4 > len(in) {
		return 0, false
	}
	var r rune
	for _, c := range in[i : i+4] {
		v := strings.IndexRune("0123456789abcdef", unicode.ToLower(c))
		if v < 0 {
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}

// TestParseTimeMatchesTimeDate: parseTime gives exactly the time.Time (deeply equal, zone included) that
// time.Date gives for the same fields, over the whole range of years and offsets.
func TestParseTimeMatchesTimeDate(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	years := []int{0, 1, 4, 99, 100, 399, 400, 1582, 1900, 1969, 1970, 2000, 2024, 2100, 9999}
	for trial := 0; trial < 100000; trial++ {
		year := rng.IntN(10000)
		if trial%3 == 0 {
			year = years[rng.IntN(len(years))]
		}
		month := 1 + rng.IntN(12)
		day := 1 + rng.IntN(daysIn(time.Month(month), year))
		hour, minute, sec := rng.IntN(24), rng.IntN(60), rng.IntN(60)
		nsec, frac := 0, ""
		if rng.IntN(2) == 0 {
			digits := 1 + rng.IntN(9)
			v := rng.IntN(1_000_000_000)
			frac = fmt.Sprintf(".%09d", v)[:1+digits]
			fmt.Sscanf(frac[1:]+"000000000"[:9-digits], "%d", &nsec)
		}
		offset, zone := 0, "Z"
		if rng.IntN(3) > 0 {
			offset = rng.IntN(2*24*60-1) - (24*60 - 1)
			sign, o := '+', offset
			if o < 0 {
				sign, o = '-', -o
			}
			zone = fmt.Sprintf("%c%02d:%02d", sign, o/60, o%60)
		}
		s := fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02d%s%s", year, month, day, hour, minute, sec, frac, zone)
		got, reason := parseTime([]byte(s))
		want := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, zoneFor(offset))
		if reason != "" || !reflect.DeepEqual(got, want) {
			t.Fatalf("parseTime(%s) = %v %q, want %v", s, got, reason, want)
		}
	}
}

// TestAppendTime: appendTime writes what time.RFC3339Nano does, for every zone offset, fraction and year.
func TestAppendTime(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for trial := 0; trial < 200000; trial++ {
		sec := rng.Int64N(337_000_000_000) - 62_200_000_000 // years -2 .. ~10,700
		if trial%4 == 0 {
			sec = rng.Int64N(4_000_000_000) // around 1970..2096
		}
		var nsec int64
		switch rng.IntN(4) {
		case 1:
			nsec = rng.Int64N(1_000_000_000)
		case 2:
			nsec = rng.Int64N(1000) * 1_000_000
		case 3:
			nsec = rng.Int64N(10) * 100_000_000
		}
		var loc *time.Location
		switch rng.IntN(4) {
		case 0:
			loc = time.UTC
		case 1:
			loc = zoneFor(rng.IntN(2*24*60-1) - (24*60 - 1))
		case 2:
			loc = time.FixedZone("odd", rng.IntN(48*3600)-24*3600) // seconds in the offset: the fallback
		case 3:
			loc = zoneFor(0)
		}
		tm := time.Unix(sec, nsec).In(loc)
		if got, want := string(appendTime(nil, tm)), tm.Format(time.RFC3339Nano); got != want {
			t.Fatalf("appendTime(%v) = %s, want %s", tm, got, want)
		}
	}
}

// TestAppendString compares appendString with the byte-by-byte encoder it replaced.
func TestAppendString(t *testing.T) {
	pieces := []string{"a", "Z", " ", "é", "жёлтый", "😀", `"`, `\`, "/", "\n", "\r", "\t", "\x00", "\x01", "\x1f", "\x7f",
		"\xff", "\xc3", "\xe2\x82", "<>&", "\u2028"}
	rng := rand.New(rand.NewPCG(11, 12))
	for trial := 0; trial < 50000; trial++ {
		var s string
		for range rng.IntN(14) {
			s += pieces[rng.IntN(len(pieces))]
		}
		if got, want := string(appendString([]byte("x"), s)), string(refAppendString([]byte("x"), s)); got != want {
			t.Fatalf("appendString(%q) = %s, want %s", s, got, want)
		}
	}
}

func refAppendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
			continue
		}
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '\r':
			b = append(b, `\r`...)
		case c == '\t':
			b = append(b, `\t`...)
		case c < 0x20:
			b = append(b, fmt.Sprintf(`\u%04x`, c)...)
		default:
			b = append(b, c)
		}
		i++
	}
	return append(b, '"')
}

// TestIntegerFastPath: integer gives what the general path (readNumber, intLiteral) gives, wherever the
// literal ends and whatever follows it.
func TestIntegerFastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	tails := []string{"", ",", "}", " ,", "]", ".5,", "e3}", "x", "\n}"}
	for trial := 0; trial < 100000; trial++ {
		lit := ""
		switch rng.IntN(4) {
		case 0:
			lit = "-"
		case 1:
			lit = "0"
		}
		for range rng.IntN(20) {
			lit += string(rune('0' + rng.IntN(10)))
		}
		in := lit + tails[rng.IntN(len(tails))]
		d := decoder{data: []byte(in)}
		v, ok := d.integer("n")
		ref := decoder{data: []byte(in)}
		wv, wok := int64(0), false
		if num, nok := ref.readNumber(); nok {
			var isInt bool
			wv, isInt = intLiteral(num)
			wok = true
			if !isInt {
				ref.errs.add("n", reasonInteger)
			}
		} else if len(in) > 0 && (in[0] == '-' || in[0] >= '0' && in[0] <= '9') {
			wok = false
		} else {
			ref.errs.add("n", reasonInteger)
			wok = ref.skipValue(0)
		}
		if ok != wok || (ok && v != wv) || d.pos != ref.pos || len(d.errs) != len(ref.errs) || (d.syntax == "") != (ref.syntax == "") {
			t.Fatalf("integer(%q) = %d, %v at %d (errs %v, syntax %q); general path %d, %v at %d (errs %v, syntax %q)",
				in, v, ok, d.pos, d.errs, d.syntax, wv, wok, ref.pos, ref.errs, ref.syntax)
		}
	}
}
