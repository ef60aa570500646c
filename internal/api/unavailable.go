package api

import (
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/proto"
)

// unavailable reports whether err means ClickHouse could not be reached or dropped the connection (the
// server is down, restarting or unreachable), which a client should retry later (503), as opposed to a
// query that failed (500). A server that is overloaded or shutting down counts as unavailable too. Either
// way the error's text stays in the log.
func unavailable(err error) bool {
	var op *net.OpError
	var ex *proto.Exception
	if errors.As(err, &ex) {
		// TOO_MANY_SIMULTANEOUS_QUERIES, MEMORY_LIMIT_EXCEEDED, a server shutting down
		return ex.Code == 202 || ex.Code == 241 || ex.Code == 210
	}
	return errors.As(err, &op) ||
		errors.Is(err, clickhouse.ErrAcquireConnTimeout) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed)
}
