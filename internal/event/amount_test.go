package event

import "testing"

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in   string
		want Amount
		ok   bool
	}{
		{"0", 0, true}, {"12", 1200, true}, {"12.3", 1230, true}, {"12.30", 1230, true}, {"0.05", 5, true},
		{"9999999999999.99", MaxAmount, true},
		{"", 0, false}, {"12.", 0, false}, {".5", 0, false}, {"12.345", 0, false}, {"1e3", 0, false},
		{"-1", 0, false}, {"+1", 0, false}, {"012", 0, false}, {"00.5", 0, false}, {"1.2.3", 0, false},
		{"10000000000000", 0, false}, {" 1", 0, false}, {"1,5", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseAmount(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestAmountString(t *testing.T) {
	for a, want := range map[Amount]string{0: "0.00", 5: "0.05", 1230: "12.30", -1230: "-12.30", MaxAmount: "9999999999999.99",
		-1 << 63: "-92233720368547758.08"} {
		if got := a.String(); got != want {
			t.Errorf("Amount(%d).String() = %q, want %q", int64(a), got, want)
		}
	}
	var a Amount
	if err := a.UnmarshalJSON([]byte(`"7.5"`)); err != nil || a != 750 {
		t.Errorf("UnmarshalJSON string: %d, %v", a, err)
	}
	if err := a.UnmarshalJSON([]byte(`7.555`)); err != ErrAmount {
		t.Errorf("UnmarshalJSON 7.555: %v", err)
	}
	if b, _ := Amount(750).MarshalJSON(); string(b) != `"7.50"` {
		t.Errorf("MarshalJSON = %s", b)
	}
}
