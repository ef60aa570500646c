//go:build race

package processor_test

// raceEnabled: the race detector slows the processor several times; the rebalance and outage tests use a
// smaller stream under it (the replay and crash tests keep their full size, the outage its full 30 s).
const raceEnabled = true
