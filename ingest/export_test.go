package ingest

import "time"

// Knows reports whether the instance's dedupe set holds id now (for tests of the tail).
func (s *Service) Knows(id string) bool { return s.seen.Seen(id, time.Now()) }
