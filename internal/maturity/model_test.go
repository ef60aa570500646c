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

func TestBlockQuestionsCoverEachQuestionOnce(t *testing.T) {
	seen := map[int]int{}
	for b, qs := range BlockQuestions {
		if len(qs) == 0 {
			t.Errorf("block %d has no question", b+1)
		}
		for _, q := range qs {
			seen[q]++
		}
	}
	for q := 1; q <= NumQuestions; q++ {
		if seen[q] != 1 {
			t.Errorf("question %d is in %d blocks, want 1", q, seen[q])
		}
	}
}

func TestBlockLevels(t *testing.T) {
	levels := [NumQuestions]int{4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2}
	// Blocks: {1}=4; {4,8}=(3+3)/2; {10}=1; {5,9,11}=(4+4+2)/3; {3,6,7}=(2+1+2)/3; {2}=1.
	want := [6]float64{4, 3, 1, 10.0 / 3, 5.0 / 3, 1}
	if got := BlockLevels(levels); got != want {
		t.Errorf("BlockLevels = %v, want %v", got, want)
	}
}
