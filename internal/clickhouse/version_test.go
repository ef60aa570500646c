package clickhouse

import "testing"

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in                  string
		major, minor, patch int
		wantErr             bool
	}{
		{in: "18.16.1", major: 18, minor: 16, patch: 1},
		{in: "24.8.4.13", major: 24, minor: 8, patch: 4},
		{in: "23.3.1.2823-lts", major: 23, minor: 3, patch: 1},
		{in: "19.3", major: 19, minor: 3},
		{in: "19", wantErr: true},
		{in: "", wantErr: true},
		{in: "x.1.2", wantErr: true},
		{in: "19.-1", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, err := ParseVersion(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseVersion(%q) = %+v, want error", tt.in, v)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v.Major != tt.major || v.Minor != tt.minor || v.Patch != tt.patch || v.String() != tt.in {
				t.Fatalf("ParseVersion(%q) = %+v", tt.in, v)
			}
		})
	}
}

func TestVersionAtLeast(t *testing.T) {
	tests := []struct {
		v            Version
		major, minor int
		want         bool
	}{
		{Version{Major: 18, Minor: 16}, 19, 3, false},
		{Version{Major: 18, Minor: 16}, 18, 16, true},
		{Version{Major: 18, Minor: 16}, 18, 17, false},
		{Version{Major: 19, Minor: 1}, 19, 3, false},
		{Version{Major: 19, Minor: 3}, 19, 3, true},
		{Version{Major: 19, Minor: 6}, 19, 3, true},
		{Version{Major: 20, Minor: 1}, 19, 6, true},
		{Version{Major: 24, Minor: 8}, 19, 6, true},
	}
	for _, tt := range tests {
		if got := tt.v.AtLeast(tt.major, tt.minor); got != tt.want {
			t.Errorf("%s.AtLeast(%d, %d) = %v, want %v", tt.v, tt.major, tt.minor, got, tt.want)
		}
	}
}
