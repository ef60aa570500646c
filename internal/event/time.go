package event

import (
	"sync/atomic"
	"time"
)

// zones caches one *time.Location per UTC offset in minutes (-23:59..+23:59), so parsing does not allocate
// a zone per event and events parsed from equal text are deeply equal (round trips compare with
// reflect.DeepEqual).
var zones [2*24*60 - 1]atomic.Pointer[time.Location]

func zoneFor(offsetMin int) *time.Location {
	if offsetMin == 0 {
		return time.UTC
	}
	slot := &zones[offsetMin+24*60-1]
	if loc := slot.Load(); loc != nil {
		return loc
	}
	loc := time.FixedZone("", offsetMin*60)
	if slot.CompareAndSwap(nil, loc) {
		return loc
	}
	return slot.Load()
}

// parseTime reads RFC 3339 "YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)". It is stricter than time.Parse on
// purpose and matches the schema's pattern: upper-case T and Z, at most 9 fractional digits, no leap
// second, an offset is mandatory. The reason is empty on success.
func parseTime(s []byte) (time.Time, string) {
	if len(s) < 19 {
		return time.Time{}, reasonTime
	}
	// Two digits at i, or -1.
	num2 := func(i int) int {
		a, b := s[i]-'0', s[i+1]-'0'
		if a > 9 || b > 9 {
			return -1
		}
		return int(a)*10 + int(b)
	}
	century, yy, month, day := num2(0), num2(2), num2(5), num2(8)
	hour, minute, sec := num2(11), num2(14), num2(17)
	year := century*100 + yy
	if s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
		century < 0 || yy < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(time.Month(month), year) ||
		hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 59 {
		return time.Time{}, reasonTime
	}
	i, nsec := 19, 0
	if i < len(s) && s[i] == '.' {
		i++
		digits := 0
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			if digits == 9 {
				return time.Time{}, reasonTime
			}
			nsec = nsec*10 + int(s[i]-'0')
			digits++
		}
		if digits == 0 {
			return time.Time{}, reasonTime
		}
		for ; digits < 9; digits++ {
			nsec *= 10
		}
	}
	if i == len(s) {
		return time.Time{}, reasonTimeOffset
	}
	offset := 0
	switch s[i] {
	case 'Z':
		i++
	case '+', '-':
		if len(s)-i != 6 || s[i+3] != ':' {
			return time.Time{}, reasonTime
		}
		oh, om := num2(i+1), num2(i+4)
		if oh < 0 || oh > 23 || om < 0 || om > 59 {
			return time.Time{}, reasonTime
		}
		offset = oh*60 + om
		if s[i] == '-' {
			offset = -offset
		}
		i += 6
	default:
		return time.Time{}, reasonTime
	}
	if i != len(s) {
		return time.Time{}, reasonTime
	}
	// What time.Date computes, without its normalisation (every field is in range) and zone lookup.
	unix := daysFromCivil(year, month, day)*86400 + int64(hour*3600+minute*60+sec-offset*60)
	return time.Unix(unix, int64(nsec)).In(zoneFor(offset)), ""
}

// daysFromCivil is the number of days from 1970-01-01 to the given date of the proleptic Gregorian calendar
// (year 0 or later), after Howard Hinnant's days_from_civil.
func daysFromCivil(year, month, day int) int64 {
	y := year
	if month <= 2 {
		y--
	}
	era := y / 400
	if y < 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400                        // [0, 399]
	doy := (153*((month+9)%12)+2)/5 + day - 1 // [0, 365], from March 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy    // [0, 146096]
	return int64(era)*146097 + int64(doe) - 719468
}

func daysIn(m time.Month, year int) int {
	switch m {
	case time.February:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// timeInRange reports whether t can be written as RFC 3339 and read back unchanged: four-digit year, offset
// in whole minutes under 24 hours.
func timeInRange(t time.Time) bool {
	if y := t.Year(); y < 0 || y > 9999 {
		return false
	}
	_, off := t.Zone()
	return off%60 == 0 && off > -24*3600 && off < 24*3600
}
