package ingest

import "time"

// Knows reports whether the instance's dedupe set holds id now (for tests of the tail).
func (s *Service) Knows(location, id string) bool { return s.seen.Seen(location, id, time.Now()) }

// TailRead returns how many messages the instance's dedupe tail decoded: its own and other instances'.
func (s *Service) TailRead() (own, others int64) { return s.tailer.Read() }
