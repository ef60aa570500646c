package config

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Location is one entry of the location registry.
type Location struct {
	ID        string  `koanf:"id"`
	Name      string  `koanf:"name"`
	Latitude  float64 `koanf:"latitude"`
	Longitude float64 `koanf:"longitude"`
	Region    string  `koanf:"region"`
	Type      string  `koanf:"type"`     // free label (store, outlet, branch…); audit templates may apply by it
	TimeZone  string  `koanf:"timezone"` // IANA name, e.g. Europe/Moscow
	// Hours maps a weekday (mon..sun) or "default" to "HH:MM-HH:MM" or "closed".
	Hours map[string]string `koanf:"hours"`
	// Reviews are the location's review pages (reasons.go).
	Reviews []ReviewLink `koanf:"reviews"`
}

// LocationIDPattern is the contract's location id: 1..64 chars of A-Z a-z 0-9 . _ : -
var LocationIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

var weekdays = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// OpenAt reports whether the location is open at t, in its own time zone.
func (l *Location) OpenAt(t time.Time) bool {
	loc, err := time.LoadLocation(l.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	t = t.In(loc)
	span, ok := l.Hours[weekdays[t.Weekday()]]
	if !ok {
		span, ok = l.Hours["default"]
	}
	if !ok {
		return true // no hours given: always open
	}
	from, to, closed, err := parseSpan(span)
	if err != nil || closed {
		return false
	}
	m := t.Hour()*60 + t.Minute()
	if to <= from { // past midnight
		return m >= from || m < to
	}
	return m >= from && m < to
}

func parseSpan(s string) (from, to int, closed bool, err error) {
	if strings.TrimSpace(s) == "closed" {
		return 0, 0, true, nil
	}
	var h1, m1, h2, m2 int
	if _, err := fmt.Sscanf(s, "%d:%d-%d:%d", &h1, &m1, &h2, &m2); err != nil {
		return 0, 0, false, fmt.Errorf("must be HH:MM-HH:MM or closed, not %q", s)
	}
	if h1 < 0 || h1 > 24 || h2 < 0 || h2 > 24 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59 {
		return 0, 0, false, fmt.Errorf("must be HH:MM-HH:MM with valid times, not %q", s)
	}
	return h1*60 + m1, h2*60 + m2, false, nil
}

func (c *Config) validateLocations(es *Errors) {
	seen := map[string]bool{}
	for i, l := range c.Locations {
		key := fmt.Sprintf("locations[%d]", i)
		if !LocationIDPattern.MatchString(l.ID) {
			es.add(key+".id", "must be 1..64 chars of A-Z a-z 0-9 . _ : -, not %q", l.ID)
		}
		if seen[l.ID] {
			es.add(key+".id", "duplicate location id %q", l.ID)
		}
		seen[l.ID] = true
		if l.Latitude < -90 || l.Latitude > 90 {
			es.add(key+".latitude", "must be between -90 and 90")
		}
		if l.Longitude < -180 || l.Longitude > 180 {
			es.add(key+".longitude", "must be between -180 and 180")
		}
		if l.TimeZone != "" {
			if _, err := time.LoadLocation(l.TimeZone); err != nil {
				es.add(key+".timezone", "unknown time zone %q", l.TimeZone)
			}
		}
		for day, span := range l.Hours {
			if day != "default" && !contains(weekdays, day) {
				es.add(key+".hours."+day, "must be one of default, mon, tue, wed, thu, fri, sat, sun")
			}
			if _, _, _, err := parseSpan(span); err != nil {
				es.add(key+".hours."+day, "%v", err)
			}
		}
	}
}

// Location returns the registry entry with the id, or nil.
func (c *Config) Location(id string) *Location {
	for i := range c.Locations {
		if c.Locations[i].ID == id {
			return &c.Locations[i]
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
