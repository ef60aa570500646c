package kpi

import (
	"fmt"
	"slices"
)

// Direction says which way a KPI is better. The numbers are those of the direction Enum8 of kpi_status.
type Direction int8

const (
	// HigherIsBetter: low values are bad (NPS, CSAT, conversion…).
	HigherIsBetter Direction = 1
	// LowerIsBetter: high values are bad (e.g. an operator's threshold on a waiting-time KPI).
	LowerIsBetter Direction = 2
)

// ParseDirection reads the config spelling: higher | lower.
func ParseDirection(s string) (Direction, error) {
	switch s {
	case "higher":
		return HigherIsBetter, nil
	case "lower":
		return LowerIsBetter, nil
	}
	return 0, fmt.Errorf("must be higher or lower, not %q", s)
}

func (d Direction) String() string {
	switch d {
	case HigherIsBetter:
		return "higher"
	case LowerIsBetter:
		return "lower"
	}
	return fmt.Sprintf("Direction(%d)", int8(d))
}

// DefaultDirection is the KPI's usual direction (Meta.HigherIsBetter); HigherIsBetter for an unknown name.
func DefaultDirection(name string) Direction {
	if m, ok := MetaOf(name); ok && !m.HigherIsBetter {
		return LowerIsBetter
	}
	return HigherIsBetter
}

// Threshold is the effective yellow and red limits of one KPI at one location, and the sample size below
// which a value is not judged. It is a plain value so that config can build it without kpi knowing config.
type Threshold struct {
	Direction   Direction
	Yellow, Red float64
	// MinN is the smallest sample size (Value.N) that gets a colour: a smaller sample says too little (one
	// detractor is an NPS of -100), so it is grey like no data at all.
	MinN int64
}

// Check reports what is wrong with the limits, or nil: red must lie on the worse side of yellow, strictly,
// so each of the three colours has a range of values.
func (t Threshold) Check() error {
	switch t.Direction {
	case HigherIsBetter:
		if !(t.Red < t.Yellow) {
			return fmt.Errorf("red (%g) must be below yellow (%g) for a higher-is-better KPI", t.Red, t.Yellow)
		}
	case LowerIsBetter:
		if !(t.Red > t.Yellow) {
			return fmt.Errorf("red (%g) must be above yellow (%g) for a lower-is-better KPI", t.Red, t.Yellow)
		}
	default:
		return fmt.Errorf("direction must be higher or lower")
	}
	if t.MinN < 0 {
		return fmt.Errorf("min_n must not be negative, got %d", t.MinN)
	}
	return nil
}

// Status is a KPI's traffic light. The numbers are those of the status Enum8 of kpi_status.
type Status int8

const (
	// Grey: no judgement possible: no data (the value is undefined) or fewer than MinN in the sample.
	Grey   Status = 0
	Green  Status = 1
	Yellow Status = 2
	Red    Status = 3
	// None: the KPI has no threshold at the location, so it is not judged at all (visitors, revenue… by
	// default). Unlike grey it says nothing about the data.
	None Status = 4
)

// Statuses lists every status, in Enum8 order; metrics export one series per status.
var Statuses = []Status{Grey, Green, Yellow, Red, None}

func (s Status) String() string {
	switch s {
	case Grey:
		return "grey"
	case Green:
		return "green"
	case Yellow:
		return "yellow"
	case Red:
		return "red"
	case None:
		return "none"
	}
	return fmt.Sprintf("Status(%d)", int8(s))
}

// ParseStatus reads a status name as String writes it (and kpi_status stores it).
func ParseStatus(s string) (Status, error) {
	for _, st := range Statuses {
		if st.String() == s {
			return st, nil
		}
	}
	return 0, fmt.Errorf("unknown status %q", s)
}

// Classify judges v against th. Grey when v is not valid or its sample is smaller than th.MinN. For a
// higher-is-better KPI: below red is red, below yellow is yellow, anything else green; for lower-is-better
// the same with "above". A value exactly on a limit takes the better side (NPS 0 with red 0 is yellow, NPS
// 30 with yellow 30 is green): the limits read as "at least 30 is good", the way CX targets are stated.
func Classify(v Value, th Threshold) Status {
	if !v.Valid || v.N < th.MinN {
		return Grey
	}
	x := v.Value
	if th.Direction == LowerIsBetter {
		switch {
		case x > th.Red:
			return Red
		case x > th.Yellow:
			return Yellow
		}
		return Green
	}
	switch {
	case x < th.Red:
		return Red
	case x < th.Yellow:
		return Yellow
	}
	return Green
}

// rank orders statuses for Worst: red > yellow > green > grey. Grey (no data) ranks below green so that a
// location whose indicators are green except for one without data shows green, and one with no data at
// all shows grey; none (not judged) ranks below everything and never colours a flag.
var rank = [...]int{Grey: 1, Green: 2, Yellow: 3, Red: 4, None: 0}

// Worst is the status a location's flag takes from its indicators' statuses: red over yellow over green
// over grey; None when there is nothing judged (no statuses, or all None).
func Worst(ss ...Status) Status {
	w := None
	for _, s := range ss {
		if s >= 0 && int(s) < len(rank) && rank[s] > rank[w] {
			w = s
		}
	}
	return w
}

// Judged is one indicator's current status at a location.
type Judged struct {
	KPI    string
	Status Status
}

// Flag is the colour of a location's flag and the KPIs that give it: the worst judged status (Worst), grey
// when nothing is judged; the KPIs having that status are listed (each once, in order) for green, yellow
// and red, none for grey. The API's locations, the plugin's map and the console all take it from here.
func Flag(indicators []Judged) (Status, []string) {
	ss := make([]Status, len(indicators))
	for i, j := range indicators {
		ss[i] = j.Status
	}
	w := Worst(ss...)
	if w == None || w == Grey {
		return Grey, []string{}
	}
	kpis := []string{}
	for _, j := range indicators {
		if j.Status == w && !slices.Contains(kpis, j.KPI) {
			kpis = append(kpis, j.KPI)
		}
	}
	return w, kpis
}
