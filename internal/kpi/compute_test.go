package kpi

import (
	"math"
	"testing"
)

// Expected figures were computed by hand (with a calculator) from the formulas' definitions, not with this
// package.
func TestCompute(t *testing.T) {
	survey := Components{Promoters: 50, Passives: 30, Detractors: 20, NPSMissing: 10}
	// CES answers 7, 6, 5, 5, 3; smiley presses 5/5, 2/3, 2/4 (scores 1, 0.5, 1/3).
	means := Components{CESSum: 26, CESSumSq: 144, CESN: 5, SmileSum12: 22, SmileSumSq144: 196, SmileN: 3}
	shop := Components{Visitors: 120, Receipts: 20, Refunds: 2, RevenueCents: 3_600_050, Items: 45, Consultations: 66, CSATTop2: 45, CSATN: 60, Likes: 30, Dislikes: 10}
	for _, tc := range []struct {
		name      string
		kpi       string
		c         Components
		opt       Options
		value     float64
		n         int64
		valid     bool
		low, high float64 // NaN: no interval
	}{
		{"nps respondents only", "nps", survey, Options{}, 30, 100, true, 14.0511, 44.2013},
		{"nps non-responders as detractors", "nps", survey, Options{NPSPolicy: NonRespondersAsDetractors}, 100 * 20.0 / 110, 110, true, 2.3845, 33.0137},
		{"nps non-responders as passives", "nps", survey, Options{NPSPolicy: NonRespondersAsPassives}, 100 * 30.0 / 110, 110, true, 12.7233, 40.3741},
		{"nps one promoter: interval widened to hold the score", "nps", Components{Promoters: 1}, Options{}, 100, 1, true, -48.4986, 100},
		{"nps empty", "nps", Components{NPSMissing: 4}, Options{}, 0, 0, false, math.NaN(), math.NaN()},
		{"csat wilson", "csat", shop, Options{}, 75, 60, true, 62.7679, 84.2235},
		{"ces mean", "ces", means, Options{}, 5.2, 5, true, 3.8999, 6.5001},
		{"smile mixed scales, interval clamped at 100", "smile_index", means, Options{}, 61.1111, 3, true, 21.8514, 100},
		{"smile single press has no interval", "smile_index", Components{SmileSum12: 12, SmileSumSq144: 144, SmileN: 1}, Options{}, 100, 1, true, math.NaN(), math.NaN()},
		{"like index", "like_index", shop, Options{}, 50, 40, true, 19.6121, 71.6258},
		{"visitors", "visitors", shop, Options{}, 120, 120, true, math.NaN(), math.NaN()},
		{"receipts net of refunds", "receipts", shop, Options{}, 18, 22, true, math.NaN(), math.NaN()},
		{"revenue", "revenue", shop, Options{}, 36000.50, 22, true, math.NaN(), math.NaN()},
		{"conversion", "conversion", shop, Options{}, 15, 120, true, 9.7038, 22.4675},
		{"conversion above 100 keeps value, drops interval", "conversion", Components{Visitors: 2, Receipts: 3}, Options{}, 150, 2, true, math.NaN(), math.NaN()},
		{"conversion without visitors", "conversion", Components{Receipts: 3}, Options{}, 0, 0, false, math.NaN(), math.NaN()},
		{"coverage", "coverage", shop, Options{}, 55, 120, true, 46.0815, 63.6083},
		{"average receipt", "avg_receipt", shop, Options{}, 2000.0278, 18, true, math.NaN(), math.NaN()},
		{"items per receipt", "items_per_receipt", shop, Options{}, 2.5, 18, true, math.NaN(), math.NaN()},
		{"consultations", "consultations", shop, Options{}, 66, 66, true, math.NaN(), math.NaN()},
		{"unknown kpi", "happiness", shop, Options{}, 0, 0, false, math.NaN(), math.NaN()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c
			v := Compute(tc.kpi, &c, tc.opt)
			if v.Valid != tc.valid || v.N != tc.n || !near(v.Value, tc.value) {
				t.Fatalf("got value %v valid %v n %d, want %v %v %d", v.Value, v.Valid, v.N, tc.value, tc.valid, tc.n)
			}
			if math.IsNaN(tc.low) {
				if v.HasInterval {
					t.Errorf("got interval [%v, %v], want none", v.Low, v.High)
				}
				return
			}
			if !v.HasInterval || !near(v.Low, tc.low) || !near(v.High, tc.high) {
				t.Errorf("interval [%v, %v] (has %v), want [%v, %v]", v.Low, v.High, v.HasInterval, tc.low, tc.high)
			}
		})
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-3 }

// A figure over two buckets equals the figure over their merged components, never the mean of the two.
func TestMergeThenComputeIsNotAverage(t *testing.T) {
	a := Components{Visitors: 100, Receipts: 10}
	b := Components{Visitors: 10, Receipts: 5}
	merge(&a, &b)
	if v := Compute("conversion", &a, Options{}); !near(v.Value, 100*15.0/110) {
		t.Errorf("conversion of merged buckets %v, want %v", v.Value, 100*15.0/110)
	}
}

func TestParseNPSPolicy(t *testing.T) {
	for in, want := range map[string]NPSPolicy{"": RespondentsOnly, "respondents": RespondentsOnly, "detractors": NonRespondersAsDetractors, "passives": NonRespondersAsPassives} {
		if got, err := ParseNPSPolicy(in); err != nil || got != want {
			t.Errorf("ParseNPSPolicy(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseNPSPolicy("everyone"); err == nil {
		t.Error("an unknown policy must be an error")
	}
}

func TestEveryNameHasMeta(t *testing.T) {
	for _, n := range Names {
		if _, ok := MetaOf(n); !ok {
			t.Errorf("%s has no Meta", n)
		}
	}
	if len(Builtin.defs) != len(Names) {
		t.Errorf("%d metas for %d names", len(Builtin.defs), len(Names))
	}
}
