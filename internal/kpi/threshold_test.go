package kpi

import "testing"

func TestClassify(t *testing.T) {
	npsTh := Threshold{Direction: HigherIsBetter, Yellow: 30, Red: 0, MinN: 30}
	// A lower-is-better threshold, e.g. an operator's limit on a share of complaints: above 20 yellow, above
	// 40 red.
	lowTh := Threshold{Direction: LowerIsBetter, Yellow: 20, Red: 40, MinN: 10}
	val := func(x float64, n int64) Value { return Value{Value: x, Valid: true, N: n} }
	for _, tc := range []struct {
		name string
		v    Value
		th   Threshold
		want Status
	}{
		{"higher: well above yellow", val(62, 55), npsTh, Green},
		{"higher: exactly yellow is green", val(30, 30), npsTh, Green},
		{"higher: just below yellow", val(29.999, 30), npsTh, Yellow},
		{"higher: exactly red is yellow", val(0, 30), npsTh, Yellow},
		{"higher: just below red", val(-0.001, 30), npsTh, Red},
		{"higher: far below red", val(-100, 500), npsTh, Red},
		{"higher: n one below min_n is grey, even when red", val(-100, 29), npsTh, Grey},
		{"higher: n exactly min_n is judged", val(-100, 30), npsTh, Red},
		{"invalid value is grey", Value{N: 0}, npsTh, Grey},
		{"invalid value is grey even with min_n 0", Value{N: 0}, Threshold{Direction: HigherIsBetter, Yellow: 1, Red: 0}, Grey},
		{"valid with min_n 0 is judged", val(0.5, 1), Threshold{Direction: HigherIsBetter, Yellow: 1, Red: 0}, Yellow},
		{"lower: well below yellow", val(5, 10), lowTh, Green},
		{"lower: exactly yellow is green", val(20, 10), lowTh, Green},
		{"lower: just above yellow", val(20.001, 10), lowTh, Yellow},
		{"lower: exactly red is yellow", val(40, 10), lowTh, Yellow},
		{"lower: just above red", val(40.001, 10), lowTh, Red},
		{"lower: below min_n is grey", val(90, 9), lowTh, Grey},
		{"negative limits (like_index style)", val(-10, 100), Threshold{Direction: HigherIsBetter, Yellow: 0, Red: -20}, Yellow},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Classify(tc.v, tc.th); got != tc.want {
				t.Errorf("Classify(%+v, %+v) = %s, want %s", tc.v, tc.th, got, tc.want)
			}
		})
	}
}

func TestWorst(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []Status
		want Status
	}{
		{"nothing", nil, None},
		{"only none", []Status{None, None}, None},
		{"grey beats none", []Status{None, Grey}, Grey},
		{"green beats grey: one KPI without data does not grey a green store", []Status{Grey, Green, Grey}, Green},
		{"yellow beats green", []Status{Green, Yellow, Green}, Yellow},
		{"red beats all", []Status{Yellow, Grey, Red, Green, None}, Red},
		{"order does not matter", []Status{Red, Yellow}, Red},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Worst(tc.in...); got != tc.want {
				t.Errorf("Worst(%v) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestThresholdCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		th   Threshold
		ok   bool
	}{
		{"higher ok", Threshold{Direction: HigherIsBetter, Yellow: 30, Red: 0}, true},
		{"higher red equal to yellow", Threshold{Direction: HigherIsBetter, Yellow: 30, Red: 30}, false},
		{"higher red above yellow", Threshold{Direction: HigherIsBetter, Yellow: 30, Red: 40}, false},
		{"lower ok", Threshold{Direction: LowerIsBetter, Yellow: 20, Red: 40}, true},
		{"lower red below yellow", Threshold{Direction: LowerIsBetter, Yellow: 20, Red: 10}, false},
		{"no direction", Threshold{Yellow: 1, Red: 0}, false},
		{"negative min_n", Threshold{Direction: HigherIsBetter, Yellow: 1, Red: 0, MinN: -1}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.th.Check(); (err == nil) != tc.ok {
				t.Errorf("Check(%+v) = %v, want ok=%v", tc.th, err, tc.ok)
			}
		})
	}
}

func TestStatusNames(t *testing.T) {
	// The names and numbers are the Enum8 of kpi_status (schemas/clickhouse/003_status.sql).
	want := map[Status]string{Grey: "grey", Green: "green", Yellow: "yellow", Red: "red", None: "none"}
	nums := map[Status]int8{Grey: 0, Green: 1, Yellow: 2, Red: 3, None: 4}
	for s, name := range want {
		if s.String() != name || int8(s) != nums[s] {
			t.Errorf("status %d = %q, want %q = %d", int8(s), s, name, nums[s])
		}
		if p, err := ParseStatus(name); err != nil || p != s {
			t.Errorf("ParseStatus(%q) = %v, %v", name, p, err)
		}
	}
	if _, err := ParseStatus("blue"); err == nil {
		t.Error("ParseStatus(blue) accepted")
	}
	for s, want := range map[string]Direction{"higher": HigherIsBetter, "lower": LowerIsBetter} {
		if d, err := ParseDirection(s); err != nil || d != want || d.String() != s {
			t.Errorf("ParseDirection(%q) = %v, %v", s, d, err)
		}
	}
	if _, err := ParseDirection("up"); err == nil {
		t.Error("ParseDirection(up) accepted")
	}
}
