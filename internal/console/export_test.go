package console

import "testing"

// StartSMTP is the test SMTP server for the browser test (package console_test).
func StartSMTP(t *testing.T) (received func() []Received, addr string) {
	be, addr := startSMTP(t)
	return func() []Received {
		be.mu.Lock()
		defer be.mu.Unlock()
		out := make([]Received, len(be.received))
		for i, r := range be.received {
			out[i] = Received{From: r.from, To: r.to, Data: string(r.data)}
		}
		return out
	}, addr
}

// Received is one message the test SMTP server accepted.
type Received struct{ From, To, Data string }
