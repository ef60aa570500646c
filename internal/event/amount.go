package event

import (
	"errors"
	"strconv"
)

// Amount is money in hundredths of the currency unit. Money is never a float: the wire accepts a decimal
// string or a JSON number with at most two fractional digits, and both are parsed digit by digit.
type Amount int64

// ErrAmount is returned for a malformed amount; the validator turns it into a field error.
var ErrAmount = errors.New("must be a decimal from 0 to 9999999999999.99 with at most 2 fractional digits, no sign, exponent or leading zeros")

// MaxAmount is the largest amount one event may carry. Thirteen integer digits keep the sum of a million
// receipts at the maximum (a day of a very large chain) inside int64.
const MaxAmount = Amount(1e15 - 1)

// maxIntDigits is the number of integer digits MaxAmount has.
const maxIntDigits = 13

// ParseAmount parses "12", "12.3", "12.30" (and the same without quotes when taken from a JSON number).
// The grammar is the JSON number grammar without sign and exponent, so a value spelt as a JSON number and
// the same value spelt as a string are accepted alike, and the JSON Schema pattern can state it exactly.
func ParseAmount(s string) (Amount, error) { return parseAmount(s) }

func parseAmount[T string | []byte](s T) (Amount, error) {
	if len(s) == 0 || (len(s) > 1 && s[0] == '0' && s[1] != '.') {
		return 0, ErrAmount
	}
	var units, frac int64
	intDigits, fracDigits := 0, -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' && fracDigits < 0 && i > 0 && i < len(s)-1:
			fracDigits = 0
		case c >= '0' && c <= '9':
			if fracDigits >= 0 {
				if fracDigits == 2 {
					return 0, ErrAmount
				}
				frac = frac*10 + int64(c-'0')
				fracDigits++
			} else {
				if intDigits == maxIntDigits {
					return 0, ErrAmount
				}
				units = units*10 + int64(c-'0')
				intDigits++
			}
		default:
			return 0, ErrAmount
		}
	}
	if fracDigits == 1 {
		frac *= 10
	}
	return Amount(units*100 + frac), nil
}

// String formats the amount with exactly two fractional digits, e.g. "12.30".
func (a Amount) String() string {
	return string(a.appendTo(make([]byte, 0, 24)))
}

// appendTo appends String's text without an intermediate string, for the marshaller's hot path.
func (a Amount) appendTo(b []byte) []byte {
	u := uint64(a)
	if a < 0 {
		b = append(b, '-')
		u = -u // two's complement negation also handles the minimum int64
	}
	b = strconv.AppendUint(b, u/100, 10)
	return append(b, '.', byte('0'+u%100/10), byte('0'+u%10))
}

// MarshalJSON writes the amount as a decimal string so no consumer ever reads it through a float.
func (a Amount) MarshalJSON() ([]byte, error) {
	b := append(make([]byte, 0, 26), '"')
	return append(a.appendTo(b), '"'), nil
}

// UnmarshalJSON accepts a decimal string or a JSON number.
func (a *Amount) UnmarshalJSON(b []byte) error {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
	}
	v, err := parseAmount(b)
	if err != nil {
		return err
	}
	*a = v
	return nil
}
