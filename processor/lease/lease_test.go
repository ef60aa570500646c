package lease

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestBound(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		renewed []time.Duration // heartbeat send times after t0
		at      time.Duration   // when the write starts
		timeout time.Duration
		want    time.Duration // deadline after t0; 0: ErrExpired
		revoked bool
	}{
		{name: "never renewed", at: 0, timeout: 8 * time.Second},
		{name: "write timeout first", renewed: []time.Duration{0}, at: time.Second, timeout: 2 * time.Second, want: 3 * time.Second},
		{name: "lease first", renewed: []time.Duration{0}, at: 5 * time.Second, timeout: 8 * time.Second, want: 9 * time.Second},
		{name: "later heartbeat extends", renewed: []time.Duration{0, 3 * time.Second}, at: 5 * time.Second, timeout: 8 * time.Second, want: 12 * time.Second},
		{name: "an older answer does not shorten", renewed: []time.Duration{3 * time.Second, 0}, at: 5 * time.Second, timeout: 8 * time.Second, want: 12 * time.Second},
		{name: "past the lease less the margin", renewed: []time.Duration{0}, at: 9 * time.Second, timeout: 8 * time.Second},
		{name: "too little left to start", renewed: []time.Duration{0}, at: 9*time.Second - 50*time.Millisecond, timeout: 8 * time.Second},
		{name: "revoked", renewed: []time.Duration{0}, at: time.Second, timeout: 8 * time.Second, revoked: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := New(10*time.Second, time.Second)
			now := t0
			l.now = func() time.Time { return now }
			for _, r := range tc.renewed {
				l.Renewed(t0.Add(r))
			}
			if tc.revoked {
				l.Revoke()
			}
			now = t0.Add(tc.at)
			ctx, cancel, err := l.Bound(context.Background(), tc.timeout)
			if tc.want == 0 {
				if !errors.Is(err, ErrExpired) {
					t.Fatalf("err = %v, want ErrExpired", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer cancel()
			d, _ := ctx.Deadline()
			if got := d.Sub(t0); got != tc.want {
				t.Fatalf("deadline t0+%s, want t0+%s", got, tc.want)
			}
		})
	}
}

func TestKeep(t *testing.T) {
	errRebalance := errors.New("rebalance in progress")
	for _, tc := range []struct {
		name    string
		answers []error // per heartbeat; errLostAnswer ends it
		renewed bool
		lost    bool
	}{
		{name: "answered", answers: []error{nil}, renewed: true},
		{name: "failing heartbeats renew nothing", answers: []error{errRebalance, errRebalance}},
		{name: "lost member revokes", answers: []error{nil, errLostAnswer}, lost: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := New(10*time.Second, time.Second)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			n := 0
			var failures int
			done := make(chan error, 1)
			go func() {
				done <- Keep(ctx, l, time.Millisecond, func(context.Context) (bool, error) {
					if n >= len(tc.answers) {
						cancel()
						return false, context.Canceled
					}
					a := tc.answers[n]
					n++
					if a == errLostAnswer {
						return true, a
					}
					return false, a
				}, func(error) { failures++ })
			}()
			err := <-done
			if tc.lost != errors.Is(err, ErrLost) {
				t.Fatalf("Keep returned %v, lost = %v", err, tc.lost)
			}
			if got := !l.WriteBy().IsZero(); got != tc.renewed {
				t.Fatalf("renewed = %v, want %v (failures %d)", got, tc.renewed, failures)
			}
		})
	}
}

var errLostAnswer = errors.New("unknown member")
