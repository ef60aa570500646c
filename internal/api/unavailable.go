package api

import (
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// unavailable reports whether err means ClickHouse could not be reached or dropped the connection (the
// server is down, restarting or unreachable), which a client should retry later (503), as opposed to a
// query that failed (500).
func unavailable(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) ||
		errors.Is(err, clickhouse.ErrAcquireConnTimeout) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed)
}
