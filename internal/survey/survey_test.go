package survey

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kpi"
)

func ip(v int) *int { return &v }

func rating(id, dim string, max int) Question {
	return Question{ID: id, Type: Rating, Max: max, Text: Text{EN: id}, Dimension: dim}
}

// testSurveys: a customer survey with every kind of question, a SERVQUAL-style paired one and a staff one.
func testSurveys() []Survey {
	return []Survey{
		{ID: "shop", Title: Text{EN: "Shop"}, Questions: []Question{
			{ID: "recommend", Type: Scale, Text: Text{EN: "Recommend?"}},
			{ID: "sat", Type: Rating, Max: 5, Text: Text{EN: "Satisfied?"}},
			{ID: "ease", Type: CES, Text: Text{EN: "Easy?"}},
			{ID: "back", Type: YesNo, Text: Text{EN: "Back?"}},
			{ID: "why", Type: FreeText, Text: Text{EN: "Why?"}, ShowIf: &Condition{Question: "recommend", Min: 0, Max: 6}, Required: true},
			{ID: "dept", Type: Multiple, Text: Text{EN: "Departments"}, Options: []Option{{1, Text{EN: "a"}}, {2, Text{EN: "b"}}, {3, Text{EN: "c"}}}},
			rating("a1", "da", 5), rating("a2", "da", 5), rating("b1", "db", 5),
			{ID: "feel1", Type: Rating, Max: 5, Text: Text{EN: "attached"}},
			{ID: "feel2", Type: Scale, Text: Text{EN: "upset if closed"}},
		}},
		{ID: "clinic", Title: Text{EN: "Clinic"}, Questions: []Question{
			{ID: "e1", Type: Rating, Max: 7, Text: Text{EN: "e1"}, Dimension: "dt", Pair: Expectation, Item: "i1"},
			{ID: "e2", Type: Rating, Max: 7, Text: Text{EN: "e2"}, Dimension: "dr", Pair: Expectation, Item: "i2"},
			{ID: "e3", Type: Rating, Max: 7, Text: Text{EN: "e3"}, Dimension: "dr", Pair: Expectation, Item: "i3"},
			{ID: "p1", Type: Rating, Max: 7, Text: Text{EN: "p1"}, Dimension: "dt", Pair: Perception, Item: "i1"},
			{ID: "p2", Type: Rating, Max: 7, Text: Text{EN: "p2"}, Dimension: "dr", Pair: Perception, Item: "i2"},
			{ID: "p3", Type: Rating, Max: 7, Text: Text{EN: "p3"}, Dimension: "dr", Pair: Perception, Item: "i3"},
		}},
		{ID: "team", Audience: Staff, Title: Text{EN: "Team"}, Questions: []Question{
			{ID: "mood", Type: Rating, Max: 5, Text: Text{EN: "mood"}},
			{ID: "energy", Type: Scale, Text: Text{EN: "energy"}},
		}},
	}
}

func testIndices() []Index {
	return []Index{
		{Name: "t_nps", Type: TypeNPS, Survey: "shop", Questions: []string{"recommend"}},
		{Name: "t_nps_det", Type: TypeNPS, Survey: "shop", Questions: []string{"recommend"}, Policy: PolicyDetractors},
		{Name: "t_nps_pas", Type: TypeNPS, Survey: "shop", Questions: []string{"recommend"}, Policy: PolicyPassives},
		{Name: "t_nps_spread", Type: TypeNPS, Survey: "shop", Questions: []string{"recommend"}, Policy: PolicySpread},
		{Name: "t_nps_rcpt", Type: TypeNPS, Survey: "shop", Questions: []string{"recommend"}, Policy: PolicyDetractors, Silent: SilentReceipts},
		{Name: "t_top", Type: TypeTopBox, Survey: "shop", Questions: []string{"sat"}},
		{Name: "t_bottom", Type: TypeBottomBox, Survey: "shop", Questions: []string{"sat"}},
		{Name: "t_ces", Type: TypeMean, Survey: "shop", Questions: []string{"ease"}},
		{Name: "t_neteasy", Type: TypeNet, Survey: "shop", Questions: []string{"ease"}},
		{Name: "t_csi", Type: TypeCSI, Survey: "shop", Dimensions: []Dimension{{ID: "da", Weight: 2}, {ID: "db", Weight: 1}}},
		{Name: "t_gap", Type: TypeServqual, Survey: "clinic", Dimensions: []Dimension{{ID: "dt", Weight: 1}, {ID: "dr", Weight: 3}}},
		{Name: "t_eli", Type: TypeELI, Survey: "shop", Questions: []string{"feel1", "feel2"}},
		{Name: "t_staff", Type: TypeStaff, Survey: "team", Questions: []string{"mood", "energy"}},
		{Name: "t_factor", Type: TypeTopBox, Survey: "shop", Questions: []string{"a1", "a2", "b1"}, Min: ip(4)},
	}
}

func catalog(t *testing.T) *Catalog {
	t.Helper()
	c, errs := Build(testSurveys(), testIndices())
	if errs != nil {
		t.Fatal(errs)
	}
	return c
}

// answers builds an event of survey s from key=value pairs (ints).
func answers(s string, kv map[string]int) *event.Event {
	a := &event.Answers{}
	for k, v := range kv {
		a.Items = append(a.Items, event.Item{Key: k, Kind: event.ItemInt, Int: v})
	}
	return &event.Event{Type: event.TypeSurvey, Survey: s, Answers: a}
}

// compute feeds the events and computes index name from the summed components (plus c0's counters).
func compute(t *testing.T, cat *Catalog, name string, c0 kpi.Components, evs ...*event.Event) kpi.Value {
	t.Helper()
	sums := &kpi.SurveySums{}
	for _, e := range evs {
		cat.Feed(e, sums.Add)
	}
	c0.Survey = sums
	for _, d := range cat.Defs() {
		if d.Name == name {
			return d.Formula(&c0, kpi.Options{})
		}
	}
	t.Fatalf("no index %s", name)
	return kpi.Value{}
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// TestNPSPolicies: promoters 5, passives 2, detractors 3 of 10 respondents, 5 more submissions without the
// answer; by hand: respondents 20 (N 10), detractors (5-8)/15 = -20, passives (5-3)/15 = 13.33, spread 20
// (N 10); against 25 net receipts (30 - 5 refunds) the 15 silent are detractors: (5-18)/25 = -52.
func TestNPSPolicies(t *testing.T) {
	cat := catalog(t)
	var evs []*event.Event
	for _, v := range []int{10, 10, 9, 9, 9, 8, 7, 6, 3, 0} {
		evs = append(evs, answers("shop", map[string]int{"recommend": v}))
	}
	for range 5 {
		evs = append(evs, answers("shop", map[string]int{"sat": 5}))
	}
	for _, tc := range []struct {
		name  string
		value float64
		n     int64
	}{
		{"t_nps", 20, 10}, {"t_nps_det", -20, 15}, {"t_nps_pas", 13.333333, 15}, {"t_nps_spread", 20, 10}, {"t_nps_rcpt", -52, 25},
	} {
		v := compute(t, cat, tc.name, kpi.Components{Receipts: 30, Refunds: 5}, evs...)
		if !v.Valid || !near(v.Value, tc.value, 1e-4) || v.N != tc.n {
			t.Errorf("%s = %.4f (n %d), want %.4f (n %d)", tc.name, v.Value, v.N, tc.value, tc.n)
		}
	}
	// The same counts through the built-in NPS (independent path, published-checked in internal/kpi):
	// value and adjusted-Wald interval agree.
	v := compute(t, cat, "t_nps", kpi.Components{}, evs...)
	b := kpi.Compute("nps", &kpi.Components{Promoters: 5, Passives: 2, Detractors: 3}, kpi.Options{})
	if !near(v.Value, b.Value, 1e-9) || !near(v.Low, b.Low, 1e-9) || !near(v.High, b.High, 1e-9) {
		t.Errorf("nps index %+v, built-in nps %+v", v, b)
	}
}

// TestBoxesMeanNet: hand-computed and against independent formulas.
func TestBoxesMeanNet(t *testing.T) {
	cat := catalog(t)
	var evs []*event.Event
	for _, v := range []int{5, 4, 4, 3, 1} {
		evs = append(evs, answers("shop", map[string]int{"sat": v}))
	}
	for _, v := range []int{7, 6, 5, 2} {
		evs = append(evs, answers("shop", map[string]int{"ease": v}))
	}
	top := compute(t, cat, "t_top", kpi.Components{}, evs...)
	lo, hi := wilsonRef(3, 5)
	if top.Value != 60 || top.N != 5 || !near(top.Low, lo, 1e-9) || !near(top.High, hi, 1e-9) {
		t.Errorf("top box %+v, want 60 [%v, %v]", top, lo, hi)
	}
	if b := compute(t, cat, "t_bottom", kpi.Components{}, evs...); b.Value != 20 || b.N != 5 {
		t.Errorf("bottom box %+v, want 20 (1 of 5 answers 1..2)", b)
	}
	m := compute(t, cat, "t_ces", kpi.Components{}, evs...)
	// mean 5, s² = (4+1+0+9)/3, half-width 1.959964·√(s²/4)
	h := 1.959963984540054 * math.Sqrt(14.0/3/4)
	if m.Value != 5 || m.N != 4 || !near(m.Low, 5-h, 1e-9) || !near(m.High, min(7, 5+h), 1e-9) {
		t.Errorf("mean %+v, want 5 ± %v", m, h)
	}
	// Net Easy: 5..7 easy (3), 1..3 difficult (1) of 4: 50.
	if n := compute(t, cat, "t_neteasy", kpi.Components{}, evs...); n.Value != 50 || n.N != 4 || !(n.Low <= 50 && 50 <= n.High) {
		t.Errorf("net easy %+v, want 50", n)
	}
	// Factor indicator: top-2 box pooled over a1, a2, b1: answers 5, 4, 2 | 3 → 2 of 4.
	f := compute(t, cat, "t_factor", kpi.Components{}, answers("shop", map[string]int{"a1": 5, "a2": 4, "b1": 2}), answers("shop", map[string]int{"a1": 3}))
	if f.Value != 50 || f.N != 4 {
		t.Errorf("factor %+v, want 50 of 4", f)
	}
}

// TestTopBoxPublishedWilson: Newcombe (1998), Statistics in Medicine 17, Table II, method 3: 81 of 263 →
// 25.53..36.62 %; 15 of 148 → 6.24..16.05 %.
func TestTopBoxPublishedWilson(t *testing.T) {
	cat := catalog(t)
	for _, tc := range []struct {
		k, n      int
		low, high float64
	}{{81, 263, 25.53, 36.62}, {15, 148, 6.24, 16.05}} {
		var evs []*event.Event
		for i := range tc.n {
			v := 2
			if i < tc.k {
				v = 5
			}
			evs = append(evs, answers("shop", map[string]int{"sat": v}))
		}
		v := compute(t, cat, "t_top", kpi.Components{}, evs...)
		if !near(v.Low, tc.low, 0.005) || !near(v.High, tc.high, 0.005) {
			t.Errorf("%d/%d: [%.4f, %.4f], Newcombe gives [%.2f, %.2f]", tc.k, tc.n, v.Low, v.High, tc.low, tc.high)
		}
	}
}

// TestCSI: dimensions A (a1, a2; weight 2) and B (b1; weight 1), answers 1..5 on 0..100.
// Respondent 1: a1 5 (100), a2 3 (50), b1 1 (0): A 75, B 0, CSI (2·75 + 0)/3 = 50.
// Respondent 2: a1 4 (75), b1 5 (100): A 75, B 100, CSI (150 + 100)/3 = 83.333.
// CSI = mean of 50 and 83.333 = 66.6665 (scores kept to 0.001), A 75, B 50.
func TestCSI(t *testing.T) {
	cat := catalog(t)
	evs := []*event.Event{answers("shop", map[string]int{"a1": 5, "a2": 3, "b1": 1}), answers("shop", map[string]int{"a1": 4, "b1": 5}),
		answers("shop", map[string]int{"recommend": 3})} // no CSI question: not a CSI respondent
	for _, tc := range []struct {
		name string
		want float64
	}{{"t_csi", 66.6665}, {"t_csi_da", 75}, {"t_csi_db", 50}} {
		v := compute(t, cat, tc.name, kpi.Components{}, evs...)
		if v.N != 2 || !near(v.Value, tc.want, 1e-9) {
			t.Errorf("%s = %v (n %d), want %v (n 2)", tc.name, v.Value, v.N, tc.want)
		}
	}
}

// TestServqualGap: T (i1, weight 1), R (i2, i3, weight 3) on 1..7. E/P: i1 6/4 (−2), i2 7/7 (0), i3 5/2
// (−3): T −2, R −1.5, overall (1·−2 + 3·−1.5)/4 = −1.625. An item with only a perception is no gap.
func TestServqualGap(t *testing.T) {
	cat := catalog(t)
	e := answers("clinic", map[string]int{"e1": 6, "p1": 4, "e2": 7, "p2": 7, "e3": 5, "p3": 2})
	only := answers("clinic", map[string]int{"p1": 7})
	for _, tc := range []struct {
		name string
		want float64
	}{{"t_gap", -1.625}, {"t_gap_dt", -2}, {"t_gap_dr", -1.5}} {
		v := compute(t, cat, tc.name, kpi.Components{}, e, only)
		if v.N != 1 || !near(v.Value, tc.want, 1e-9) {
			t.Errorf("%s = %v (n %d), want %v", tc.name, v.Value, v.N, tc.want)
		}
	}
}

// TestEmotionalIndices: ELI and staff background are per-respondent means on 0..100.
// feel1 4 of 1..5 (75) and feel2 10 of 0..10 (100): 87.5; feel1 1 (0) alone: 0; ELI 43.75.
// Staff: mood 5 (100), energy 5 (50) → 75; mood 3 (50) → 50; background 62.5.
func TestEmotionalIndices(t *testing.T) {
	cat := catalog(t)
	if v := compute(t, cat, "t_eli", kpi.Components{}, answers("shop", map[string]int{"feel1": 4, "feel2": 10}), answers("shop", map[string]int{"feel1": 1})); v.N != 2 || v.Value != 43.75 {
		t.Errorf("eli %+v, want 43.75", v)
	}
	if v := compute(t, cat, "t_staff", kpi.Components{}, answers("team", map[string]int{"mood": 5, "energy": 5}), answers("team", map[string]int{"mood": 3})); v.N != 2 || v.Value != 62.5 {
		t.Errorf("staff background %+v, want 62.5", v)
	}
}

// TestUnionAndIntervals: the index of two stores computed from their summed components equals the index
// over the union of their responses, and the score interval equals an independent computation from the
// per-respondent scores (mean ± z·s/√n with the sample standard deviation).
func TestUnionAndIntervals(t *testing.T) {
	cat := catalog(t)
	r := rand.New(rand.NewPCG(1, 2))
	var storeA, storeB []*event.Event
	var scores []float64
	for i := range 300 {
		kv := map[string]int{"recommend": r.IntN(11), "sat": 1 + r.IntN(5), "ease": 1 + r.IntN(7), "a1": 1 + r.IntN(5), "b1": 1 + r.IntN(5)}
		if r.IntN(3) > 0 {
			kv["a2"] = 1 + r.IntN(5)
		}
		e := answers("shop", kv)
		if i%3 == 0 {
			storeA = append(storeA, e)
		} else {
			storeB = append(storeB, e)
		}
		a := 100 * float64(kv["a1"]-1) / 4
		if v, ok := kv["a2"]; ok {
			a = (a + 100*float64(v-1)/4) / 2
		}
		scores = append(scores, math.Round((2*a+100*float64(kv["b1"]-1)/4)/3*1000)/1000)
	}
	sa, sb, su := &kpi.SurveySums{}, &kpi.SurveySums{}, &kpi.SurveySums{}
	for _, e := range storeA {
		cat.Feed(e, sa.Add)
	}
	for _, e := range storeB {
		cat.Feed(e, sb.Add)
	}
	for _, e := range append(append([]*event.Event{}, storeA...), storeB...) {
		cat.Feed(e, su.Add)
	}
	summed := &kpi.SurveySums{}
	summed.AddAll(sa)
	summed.AddAll(sb)
	for _, d := range cat.Defs() {
		if d.Surveys[0] != "shop" {
			continue
		}
		x := d.Formula(&kpi.Components{Survey: summed}, kpi.Options{})
		y := d.Formula(&kpi.Components{Survey: su}, kpi.Options{})
		if x != y {
			t.Errorf("%s: summed stores %+v, union %+v", d.Name, x, y)
		}
	}
	var m, ss float64
	for _, s := range scores {
		m += s
	}
	m /= float64(len(scores))
	for _, s := range scores {
		ss += (s - m) * (s - m)
	}
	h := 1.959963984540054 * math.Sqrt(ss/float64(len(scores)-1)/float64(len(scores)))
	v := compute(t, cat, "t_csi", kpi.Components{}, append(storeA, storeB...)...)
	if v.N != 300 || !near(v.Value, m, 1e-9) || !near(v.Low, m-h, 1e-6) || !near(v.High, m+h, 1e-6) {
		t.Errorf("csi %+v, independent %v ± %v", v, m, h)
	}
}

func wilsonRef(k, n float64) (float64, float64) {
	const z = 1.959963984540054
	p := k / n
	c := (p + z*z/(2*n)) / (1 + z*z/n)
	h := z / (1 + z*z/n) * math.Sqrt(p*(1-p)/n+z*z/(4*n*n))
	return 100 * (c - h), 100 * (c + h)
}

// TestCheckAnswers: errors name the answer and the reason; conditions are checked on the server.
func TestCheckAnswers(t *testing.T) {
	cat := catalog(t)
	ev := func(items ...event.Item) *event.Event {
		return &event.Event{Type: event.TypeSurvey, Survey: "shop", Answers: &event.Answers{Items: items}}
	}
	num := func(k string, v int) event.Item { return event.Item{Key: k, Kind: event.ItemInt, Int: v} }
	for _, tc := range []struct {
		e    *event.Event
		want string
	}{
		{ev(num("ease", 12)), "answers.ease: 12 is outside 1..7"},
		{ev(num("recommend", 9)), ""},
		{ev(num("recommend", 3)), "answers.why: required"},
		{ev(num("recommend", 3), event.Item{Key: "why", Kind: event.ItemText, Text: "slow"}), ""},
		{ev(num("recommend", 9), event.Item{Key: "why", Kind: event.ItemText, Text: "x"}), "answers.why: not asked: shown only when recommend is in 0..6"},
		{ev(num("sat", 0)), "answers.sat: 0 is outside 1..5"},
		{ev(num("back", 2)), "answers.back: 2 is outside 0..1"},
		{ev(event.Item{Key: "dept", Kind: event.ItemCodes, Codes: []int{1, 4}}), "answers.dept: 4 is not an option code (1, 2, 3)"},
		{ev(event.Item{Key: "dept", Kind: event.ItemInt, Int: 1}), "answers.dept: must be an array of option codes"},
		{ev(event.Item{Key: "sat", Kind: event.ItemText, Text: "5"}), "answers.sat: must be an integer in 1..5"},
		{ev(num("mood", 3)), "answers.mood: unknown field: survey shop has no such question"},
		{&event.Event{Type: event.TypeSurvey, Survey: "other", Answers: &event.Answers{Items: []event.Item{num("x", 1)}}}, "answers.x: unknown field: survey other is not configured (surveys:)"},
	} {
		got := ""
		if errs := cat.Check(tc.e); errs != nil {
			got = errs.Error()
		}
		if got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.e.Answers.Items, got, tc.want)
		}
	}
}

// TestBuildErrors: a bad definition names its key.
func TestBuildErrors(t *testing.T) {
	for _, tc := range []struct {
		mut  func(ss []Survey, ix []Index) ([]Survey, []Index)
		want string
	}{
		{func(ss []Survey, ix []Index) ([]Survey, []Index) { ss[0].Questions[1].Max = 12; return ss, ix }, "surveys[0].questions[1].max: a rating is 1..max with max 2..11, got 12"},
		{func(ss []Survey, ix []Index) ([]Survey, []Index) { ss[0].Questions[0].ID = "q7"; return ss, ix }, "surveys[0].questions[0].id: must be"},
		{func(ss []Survey, ix []Index) ([]Survey, []Index) { ss[0].Questions[0].Type = "stars"; return ss, ix }, "surveys[0].questions[0].type: must be one of"},
		{func(ss []Survey, ix []Index) ([]Survey, []Index) {
			ss[0].Questions[4].ShowIf.Question = "dept2"
			return ss, ix
		}, "surveys[0].questions[4].show_if.question: must name a question before this one"},
		{func(ss []Survey, ix []Index) ([]Survey, []Index) { ix[0].Questions = []string{"sat"}; return ss, ix }, "indices[0].questions: nps reads exactly one scale (0..10) question"},
		{func(ss []Survey, ix []Index) ([]Survey, []Index) { ix[0].Policy = "ignore"; return ss, ix }, "indices[0].policy: must be respondents, detractors, passives or spread"},
		{func(ss []Survey, ix []Index) ([]Survey, []Index) { ix[12].Survey = "shop"; return ss, ix }, "indices[12].survey: staff_background reads a survey whose audience is staff"},
		{func(ss []Survey, ix []Index) ([]Survey, []Index) { ix[1].Name = "nps"; return ss, ix }, `indices[1].name: KPI "nps" exists already`},
		{func(ss []Survey, ix []Index) ([]Survey, []Index) { ss[1].Questions[3].Item = "i9"; return ss, ix }, `surveys[1].questions: item`},
	} {
		_, errs := Build(tc.mut(testSurveys(), testIndices()))
		s := ""
		for _, e := range errs {
			s += e.Error() + "\n"
		}
		if !strings.Contains(s, tc.want) {
			t.Errorf("errors %q, want %q", s, tc.want)
		}
	}
}
