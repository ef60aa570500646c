package testutil

import (
	"net"
	"testing"
)

// FreeAddr is a loopback address with a port free at the time of the call, for a server a test starts in
// another process (one in this process listens on 127.0.0.1:0 itself).
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
