package event

import (
	"errors"
	"strconv"
)

// Amount is money in hundredths of the currency unit. Money is never a float: the wire accepts a decimal
// string or a JSON number with at most two fractional digits, and both are parsed digit by digit.
type Amount int64

// ErrAmount is returned for a malformed amount; the validator turns it into a field error.
var ErrAmount = errors.New("must be a decimal >= 0 with at most 2 fractional digits")

// maxAmount keeps every sum of a day's receipts far from int64 overflow.
const maxAmount = Amount(1e15)

// ParseAmount parses "12", "12.3", "12.30" (and the same without quotes when taken from a JSON number).
func ParseAmount(s string) (Amount, error) {
	if s == "" || len(s) > 20 {
		return 0, ErrAmount
	}
	var units, frac int64
	fracDigits := -1
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
				units = units*10 + int64(c-'0')
				if Amount(units) > maxAmount/100 {
					return 0, ErrAmount
				}
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
	neg := a < 0
	if neg {
		a = -a
	}
	s := strconv.FormatInt(int64(a)/100, 10) + "." + string(rune('0'+int64(a)%100/10)) + string(rune('0'+int64(a)%10))
	if neg {
		return "-" + s
	}
	return s
}

// MarshalJSON writes the amount as a decimal string so no consumer ever reads it through a float.
func (a Amount) MarshalJSON() ([]byte, error) {
	return []byte(`"` + a.String() + `"`), nil
}

// UnmarshalJSON accepts a decimal string or a JSON number.
func (a *Amount) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	v, err := ParseAmount(s)
	if err != nil {
		return err
	}
	*a = v
	return nil
}
