package simulate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/cxm-project/cxm/internal/event"
)

// Defects are the device faults the generator mixes in; every rate is a probability per event or batch.
type Defects struct {
	SpamRate      float64       // a smiley press followed by a burst of repeat presses on the same device
	LateRate      float64       // an event that arrives late (a device that buffered while offline)
	MaxLateness   time.Duration // how late such an event is at most
	DuplicateRate float64       // an event sent twice (a device retrying after a lost answer)
}

// DefaultDefects are gentle enough that figures stay realistic.
var DefaultDefects = Defects{SpamRate: 0.02, LateRate: 0.005, MaxLateness: 45 * time.Minute, DuplicateRate: 0.005}

// Generator turns simulated time into events. It is not safe for concurrent use.
type Generator struct {
	profiles []*Profile
	rng      *rand.Rand
	defects  Defects
	seq      uint64
	run      string // distinguishes ids of separate runs so a restart never collides with old ids
}

// NewGenerator returns a generator over the profiles; run is a short tag unique to this run.
func NewGenerator(profiles []*Profile, seed uint64, run string, d Defects) *Generator {
	return &Generator{profiles: profiles, rng: rand.New(rand.NewPCG(seed, seed+1)), defects: d, run: run}
}

// Tick returns the events of every store for the simulated interval [from, to). Each store's counter
// reports once per tick, open or closed, as real door counters do.
func (g *Generator) Tick(from, to time.Time) []event.Event {
	var out []event.Event
	dt := to.Sub(from).Hours()
	for _, p := range g.profiles {
		lambda := p.PeakPerHour * p.traffic(from) * dt
		visitors := g.poisson(lambda)
		out = append(out, g.counter(p, to, visitors))
		for v := 0; v < visitors; v++ {
			at := from.Add(time.Duration(g.rng.Float64() * float64(to.Sub(from))))
			out = g.visit(out, p, at)
		}
	}
	return g.mess(out)
}

func (g *Generator) visit(out []event.Event, p *Profile, at time.Time) []event.Event {
	if g.rng.Float64() < p.Coverage {
		e := g.base(p, at, event.TypeButton, "seller-"+fmt.Sprint(1+g.rng.IntN(4)))
		e.Kind, e.Seller = event.KindConsultation, e.Device // each seller's button names its seller

		out = append(out, e)
	}
	bought := g.rng.Float64() < p.Conversion
	if bought {
		out = append(out, g.receipt(p, at))
	}
	if g.rng.Float64() < p.SmileRate {
		e := g.base(p, at.Add(time.Minute), event.TypeButton, "smiley-1")
		e.Kind, e.Scale = event.KindSmiley, p.SmileScale
		pos := math.Max(0, math.Min(1, p.SmileMean+g.rng.NormFloat64()*0.3))
		e.Value = 1 + int(math.Round(pos*float64(p.SmileScale-1)))
		g.withReason(p, &e)
		out = append(out, e)
		if g.rng.Float64() < g.defects.SpamRate {
			for i := 1; i <= 3+g.rng.IntN(5); i++ {
				r := g.base(p, e.Time.Add(time.Duration(i)*400*time.Millisecond), event.TypeButton, "smiley-1")
				r.Kind, r.Scale, r.Value = event.KindSmiley, e.Scale, e.Value
				out = append(out, r)
			}
		}
	}
	if g.rng.Float64() < p.LikeRate {
		subjects := []string{"parking", "queue", "staff", "assortment", "cleanliness"}
		e := g.base(p, at.Add(2*time.Minute), event.TypeButton, "like-1")
		e.Kind, e.Subject = event.KindDislike, subjects[g.rng.IntN(len(subjects))]
		if g.rng.Float64() < p.LikeShare {
			e.Kind = event.KindLike
		}
		out = append(out, e)
	}
	if bought && g.rng.Float64() < p.SurveyRate {
		s := g.survey(p, at.Add(5*time.Minute))
		g.withReason(p, &s)
		out = g.handoff(append(out, s), p, &s)
	}
	return out
}

func (g *Generator) receipt(p *Profile, at time.Time) event.Event {
	e := g.base(p, at, event.TypePOS, "pos-1")
	e.Receipt = fmt.Sprintf("R-%s-%d", g.run, g.seq)
	// Receipt sizes are log-normal, as basket values are.
	amount := p.MeanReceipt * math.Exp(g.rng.NormFloat64()*0.5-0.125)
	e.Amount = event.Amount(math.Round(amount * 100))
	e.Items = 1 + g.poisson(2)
	e.Currency = "RUB"
	e.Seller = fmt.Sprintf("seller-%d", 1+g.rng.IntN(4))
	return e
}

func (g *Generator) survey(p *Profile, at time.Time) event.Event {
	e := g.base(p, at, event.TypeSurvey, "qr")
	e.Survey = "default"
	a := &event.Answers{}
	r := g.rng.Float64()
	var nps int
	switch {
	case r < p.PromoterShare:
		nps = 9 + g.rng.IntN(2)
	case r < p.PromoterShare+p.DetractShare:
		nps = g.rng.IntN(7)
	default:
		nps = 7 + g.rng.IntN(2)
	}
	if g.rng.Float64() < 0.9 { // some people skip the NPS question
		a.NPS = &nps
	}
	csat := 1 + int(math.Round(float64(nps)*0.4))
	a.CSAT = &csat
	ces := 1 + int(math.Round(float64(nps)*0.6))
	a.CES = &ces
	if nps <= 4 && g.rng.Float64() < 0.5 {
		a.Comment = []string{"Long queue at the checkout", "Nobody could help me", "Очень долго ждал консультанта"}[g.rng.IntN(3)]
	}
	e.Answers = a
	return e
}

func (g *Generator) counter(p *Profile, at time.Time, visitors int) event.Event {
	e := g.base(p, at.Add(-time.Second), event.TypeCounter, "door-1")
	e.In = int64(visitors)
	e.Out = int64(math.Max(0, float64(visitors+g.rng.IntN(3)-1)))
	if visitors == 0 {
		e.Out = 0
	}
	return e
}

func (g *Generator) base(p *Profile, at time.Time, t event.Type, device string) event.Event {
	g.seq++
	tz, err := time.LoadLocation(p.Location.TimeZone)
	if err != nil {
		tz = time.UTC
	}
	return event.Event{
		ID:       fmt.Sprintf("sim-%s-%d", g.run, g.seq),
		Type:     t,
		Location: p.Location.ID,
		Device:   device,
		Time:     at.In(tz).Truncate(time.Millisecond),
	}
}

// mess applies late arrival and duplicates to a tick's events.
func (g *Generator) mess(in []event.Event) []event.Event {
	out := in[:0:0]
	for _, e := range in {
		if g.rng.Float64() < g.defects.LateRate && g.defects.MaxLateness > 0 {
			e.Time = e.Time.Add(-time.Duration(g.rng.Int64N(int64(g.defects.MaxLateness))))
		}
		out = append(out, e)
		if g.rng.Float64() < g.defects.DuplicateRate {
			out = append(out, e)
		}
	}
	return out
}

// poisson draws a Poisson count; for large means a normal approximation is accurate enough for a demo.
func (g *Generator) poisson(lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	if lambda > 50 {
		return int(math.Max(0, math.Round(lambda+g.rng.NormFloat64()*math.Sqrt(lambda))))
	}
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= g.rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}
