// Package simulate produces realistic traffic for a set of stores: door counters, POS receipts, seller
// consultations, smiley and like/dislike buttons, and NPS/CSAT/CES surveys, shaped by opening hours and rush
// hours, with the defects real devices have (button spam, late readings, re-sent batches).
package simulate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/cxm-project/cxm/internal/config"
)

// Profile is one store's behaviour. Rates are per visitor unless named otherwise.
type Profile struct {
	Location      *config.Location
	PeakPerHour   float64 // visitors per hour at the busiest time of day
	Conversion    float64 // share of visitors who buy
	Coverage      float64 // share of visitors a seller consults
	SmileRate     float64 // share of visitors who press the smiley terminal
	SmileScale    int     // 3..5 faces
	SmileMean     float64 // mean face position 0..1
	LikeRate      float64 // share of visitors who press like/dislike
	LikeShare     float64 // share of those presses that are likes
	SurveyRate    float64 // share of buyers who answer the QR survey
	PromoterShare float64
	DetractShare  float64
	MeanReceipt   float64 // in currency units
	// Reasons, when set, are the follow-up lists presses and answers draw a reason from (why.go); the
	// surveys then also record the review hand-off of the location's review pages.
	Reasons *config.Reasons
}

// NewProfiles draws a profile per location. The draw is deterministic for a seed, so a demo is repeatable.
func NewProfiles(locs []config.Location, seed uint64) []*Profile {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]*Profile, len(locs))
	for i := range locs {
		// A few stores are clearly worse, so dashboards show red next to green.
		bad := i%7 == 3
		p := &Profile{
			Location:      &locs[i],
			PeakPerHour:   120 + rng.Float64()*240,
			Conversion:    0.15 + rng.Float64()*0.15,
			Coverage:      0.35 + rng.Float64()*0.35,
			SmileRate:     0.04 + rng.Float64()*0.04,
			SmileScale:    []int{3, 4, 5, 5, 5}[rng.IntN(5)],
			SmileMean:     0.6 + rng.Float64()*0.3,
			LikeRate:      0.02 + rng.Float64()*0.02,
			LikeShare:     0.6 + rng.Float64()*0.3,
			SurveyRate:    0.08 + rng.Float64()*0.08,
			PromoterShare: 0.42 + rng.Float64()*0.12,
			DetractShare:  0.14 + rng.Float64()*0.08,
			MeanReceipt:   800 + rng.Float64()*2400,
		}
		if bad {
			p.Conversion = 0.06 + rng.Float64()*0.04
			p.SmileMean = 0.35
			p.LikeShare = 0.35
			p.PromoterShare, p.DetractShare = 0.25, 0.40
		}
		out[i] = p
	}
	return out
}

// traffic is the share of PeakPerHour at a local time: closed outside opening hours, with a lunch and an
// evening rush.
func (p *Profile) traffic(t time.Time) float64 {
	if !p.Location.OpenAt(t) {
		return 0
	}
	tz, err := time.LoadLocation(p.Location.TimeZone)
	if err != nil {
		tz = time.UTC
	}
	lt := t.In(tz)
	h := float64(lt.Hour()) + float64(lt.Minute())/60
	rush := 0.35 + 0.65*math.Max(bell(h, 13, 1.2), bell(h, 18.5, 1.5))
	if wd := lt.Weekday(); wd == time.Saturday || wd == time.Sunday {
		rush *= 1.2
	}
	return math.Min(rush, 1)
}

func bell(x, mu, sigma float64) float64 { return math.Exp(-(x - mu) * (x - mu) / (2 * sigma * sigma)) }

// DemoLocations is a registry of n stores for when none is configured.
func DemoLocations(n int) []config.Location {
	cities := []struct {
		name, region, tz string
		lat, lon         float64
	}{
		{"Moscow", "central", "Europe/Moscow", 55.7558, 37.6173},
		{"Saint Petersburg", "northwest", "Europe/Moscow", 59.9343, 30.3351},
		{"Kazan", "volga", "Europe/Moscow", 55.7961, 49.1064},
		{"Yekaterinburg", "ural", "Asia/Yekaterinburg", 56.8389, 60.6057},
		{"Novosibirsk", "siberia", "Asia/Novosibirsk", 55.0084, 82.9357},
	}
	out := make([]config.Location, n)
	for i := range out {
		c := cities[i%len(cities)]
		k := i / len(cities)
		out[i] = config.Location{
			ID:        fmt.Sprintf("store-%03d", i+1),
			Name:      fmt.Sprintf("%s #%d", c.name, k+1),
			Latitude:  c.lat + 0.03*float64(k%3) - 0.02*float64(k/3),
			Longitude: c.lon + 0.04*float64(k%2) - 0.03*float64(k/2),
			Region:    c.region,
			TimeZone:  c.tz,
			Hours:     map[string]string{"default": "09:00-22:00", "sun": "10:00-20:00"},
		}
	}
	return out
}
