package processor

import (
	"context"
	"errors"
	"fmt"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kafka"
	"github.com/cxm-project/cxm/processor/lease"
)

// heartbeat returns a lease.Heartbeat of the generation: its own heartbeat requests to the group
// coordinator, beside kafka-go's (whose answers it does not expose).
func heartbeat(kc config.Kafka, gen *kafkago.Generation) (lease.Heartbeat, func(), error) {
	t, err := kafka.Transport(kc)
	if err != nil {
		return nil, nil, err
	}
	c := &kafkago.Client{Addr: kafkago.TCP(kc.Brokers...), Transport: t}
	var coord string
	return func(ctx context.Context) (bool, error) {
		if coord == "" {
			r, err := c.FindCoordinator(ctx, &kafkago.FindCoordinatorRequest{Key: gen.GroupID, KeyType: kafkago.CoordinatorKeyTypeConsumer})
			if err != nil {
				return false, err
			}
			if r.Error != nil {
				return false, r.Error
			}
			coord = fmt.Sprintf("%s:%d", r.Coordinator.Host, r.Coordinator.Port)
		}
		r, err := c.Heartbeat(ctx, &kafkago.HeartbeatRequest{Addr: kafkago.TCP(coord), GroupID: gen.GroupID, GenerationID: gen.ID, MemberID: gen.MemberID})
		if err != nil {
			coord = "" // the coordinator may have moved
			return false, err
		}
		switch {
		case r.Error == nil:
			return false, nil
		case errors.Is(r.Error, kafkago.UnknownMemberId), errors.Is(r.Error, kafkago.IllegalGeneration), errors.Is(r.Error, kafkago.FencedInstanceID):
			return true, r.Error
		case errors.Is(r.Error, kafkago.NotCoordinatorForGroup), errors.Is(r.Error, kafkago.GroupCoordinatorNotAvailable):
			coord = ""
		}
		return false, r.Error // REBALANCE_IN_PROGRESS renews nothing: the rebalance may complete without us
	}, t.CloseIdleConnections, nil
}

// keepLease runs the generation's lease until ctx ends; when the coordinator says the member is lost it
// calls lost. It also keeps cxm_processor_lease_remaining_seconds.
func (p *Processor) keepLease(ctx context.Context, l *lease.Lease, gen *kafkago.Generation, lost func()) {
	hb, closeIdle, err := heartbeat(p.cfg.Kafka, gen)
	if err != nil {
		p.log.Error("lease heartbeat", "err", err)
		lost()
		return
	}
	defer closeIdle()
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				p.m.LeaseRemaining.Set(0)
				return
			case <-t.C:
				p.m.LeaseRemaining.Set(max(0, time.Until(l.WriteBy()).Seconds()))
			}
		}
	}()
	err = lease.Keep(ctx, l, p.cfg.Kafka.Consumer.HeartbeatInterval, hb, func(err error) {
		p.log.Warn("lease heartbeat failed: the lease is not renewed", "err", err, "write_by", l.WriteBy())
	})
	if errors.Is(err, lease.ErrLost) {
		p.log.Warn("the group coordinator no longer knows this member: nothing more is written in this generation", "generation", gen.ID)
		lost()
	}
}

// awaitLease waits for the lease's first renewal (a write is refused before it).
func awaitLease(ctx context.Context, l *lease.Lease) bool {
	for l.WriteBy().IsZero() || time.Until(l.WriteBy()) <= 0 {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(20 * time.Millisecond):
		}
	}
	return true
}
