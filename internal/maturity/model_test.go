package maturity

import "testing"

func TestScoreAndStage(t *testing.T) {
	all := func(l int) (a [11]int) {
		for i := range a {
			a[i] = l
		}
		return
	}
	tests := []struct {
		levels       [11]int
		score, stage int
	}{
		{all(1), 0, 1},
		{all(4), 95, 5},
		{all(2), 32, 2}, // 11 points: 95*11/33 = 31.67
		{all(3), 63, 4}, // 22 points: 63.33
		{[11]int{2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1}, 20, 2}, // 7 points: 20.15, the lowest score of stage 2
		{[11]int{2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1}, 17, 1}, // 6 points: 17.27
		{[11]int{3, 3, 3, 3, 2, 2, 2, 2, 4, 1, 1}, 43, 3}, // 15 points: 43.18
		{[11]int{4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3}, 86, 5}, // 30 points: 86.36
		{[11]int{4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3}, 78, 4}, // 27 points: 77.73
	}
	for _, tt := range tests {
		if s := Score(tt.levels); s != tt.score || Stage(s) != tt.stage {
			t.Errorf("%v: score %d stage %d, want %d %d", tt.levels, s, Stage(s), tt.score, tt.stage)
		}
	}
	for i, s := range Stages {
		if len(s.Drivers) == 0 || s.Summary.RU == "" || s.Summary.EN == "" {
			t.Errorf("stage %d lacks content", i+1)
		}
		for j, b := range s.Blocks {
			if b.RU == "" || b.EN == "" {
				t.Errorf("stage %d block %d is empty", i+1, j)
			}
		}
		if i > 0 && s.From != Stages[i-1].To+1 {
			t.Errorf("stage %d starts at %d", i+1, s.From)
		}
	}
}
