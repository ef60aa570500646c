// Package lease keeps a processor's right to write its partitions: a time before which no other member
// of the consumer group can have been given them.
//
// The group coordinator evicts a member no earlier than session_timeout after the last heartbeat it
// received from it, and a rebalance completes without a member no earlier than rebalance_timeout after it
// began, which is after the member's last heartbeat answered without error. So a heartbeat sent at t and
// answered without error proves that nobody else owns the member's partitions before t + min(session,
// rebalance timeout): the lease. Every write of a flush must have ended before the lease does, less a
// margin for the time a query takes from the client to the server's process list (where a new owner
// looks for it, see the fence package); a write that could not is not started, and the generation ends.
//
// The member's own heartbeats renew the lease (kafka-go's heartbeats are not observable): answered
// without error, the lease moves to their send time plus the TTL. A paused process (SIGSTOP, a long GC,
// a VM freeze) or one cut off from the coordinator renews nothing, so its lease runs out before anyone can
// take its partitions, and once resumed it finds the lease gone before it writes.
package lease

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrExpired means the lease leaves no time for a write: the member may have lost its partitions.
var ErrExpired = errors.New("lease expired: this member may no longer own its partitions, nothing more is written")

// ErrLost means the coordinator answered that the member is not in the generation any more.
var ErrLost = errors.New("the group coordinator no longer knows this member's generation")

// Lease is one generation's right to write.
type Lease struct {
	ttl, margin time.Duration
	now         func() time.Time

	mu  sync.Mutex
	end time.Time // zero: never renewed
}

// New returns a lease that no heartbeat has renewed yet (so nothing may be written): ttl is min(session
// timeout, rebalance timeout); every write must end margin before the lease does.
func New(ttl, margin time.Duration) *Lease {
	return &Lease{ttl: ttl, margin: margin, now: time.Now}
}

// Renewed records a heartbeat sent at sent and answered without error.
func (l *Lease) Renewed(sent time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := sent.Add(l.ttl); e.After(l.end) {
		l.end = e
	}
}

// Revoke ends the lease now: the generation is over.
func (l *Lease) Revoke() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.end = time.Time{}
}

// WriteBy is when every write must have ended (the lease's end less the margin); zero when never renewed.
func (l *Lease) WriteBy() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.end.IsZero() {
		return time.Time{}
	}
	return l.end.Add(-l.margin)
}

// minWrite is the least time worth starting a write with.
const minWrite = 100 * time.Millisecond

// Bound returns ctx limited to timeout and to the lease, for one write; ErrExpired when the lease leaves
// less than a useful time. The deadline also bounds the socket: clickhouse-go sets it on the connection
// before the query is sent, so a process resumed after the deadline fails the write instead of sending it.
func (l *Lease) Bound(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc, error) {
	by := l.WriteBy()
	now := l.now()
	if by.IsZero() || by.Sub(now) < minWrite {
		return nil, nil, ErrExpired
	}
	d := now.Add(timeout)
	if by.Before(d) {
		d = by
	}
	ctx, cancel := context.WithDeadline(ctx, d)
	return ctx, cancel, nil
}

// Heartbeat sends one heartbeat of the member's generation; lost says the coordinator does not know it
// (evicted, or a newer generation). Any other error renews nothing.
type Heartbeat func(ctx context.Context) (lost bool, err error)

// Keep renews l with a heartbeat every interval (the first at once) until ctx ends or the coordinator
// says the member is lost (it then returns ErrLost and revokes l). Each heartbeat waits at most interval.
func Keep(ctx context.Context, l *Lease, interval time.Duration, hb Heartbeat, failed func(error)) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		sent := l.now()
		hctx, cancel := context.WithTimeout(ctx, interval)
		lost, err := hb(hctx)
		cancel()
		switch {
		case lost:
			l.Revoke()
			return ErrLost
		case err == nil:
			l.Renewed(sent)
		case ctx.Err() == nil && failed != nil:
			failed(err)
		}
		t.Reset(max(0, interval-l.now().Sub(sent)))
	}
}
