package plugin

import (
	"errors"
	"fmt"
	"net"
	"strings"

	ch "github.com/ClickHouse/clickhouse-go/v2"
)

// ClickHouse error codes the plugin explains (ClickHouse src/Common/ErrorCodes.cpp).
const (
	codeUnknownTable         = 60
	codeUnknownDatabase      = 81
	codeUnknownUser          = 192
	codeWrongPassword        = 193
	codeRequiredPassword     = 194
	codeIPAddressNotAllowed  = 195
	codeAuthenticationFailed = 516
)

// exceptionCode returns the ClickHouse exception code in err, or 0.
func exceptionCode(err error) int32 {
	var e *ch.Exception
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

// isAuthError reports whether the server refused the user or password.
func isAuthError(err error) bool {
	switch exceptionCode(err) {
	case codeUnknownUser, codeWrongPassword, codeRequiredPassword, codeIPAddressNotAllowed, codeAuthenticationFailed:
		return true
	}
	// Newer servers word it so without always using 516 on older protocol paths.
	return strings.Contains(err.Error(), "Authentication failed")
}

// describeOpenError turns a failed Open into what the user has to fix.
func describeOpenError(s Settings, err error) error {
	addr := strings.Join(s.addrs(), ",")
	if isAuthError(err) {
		return fmt.Errorf("ClickHouse at %s refused user %q: wrong credentials (check user and password): %w", addr, s.Username, err)
	}
	var ne net.Error
	var oe *net.OpError
	if errors.As(err, &oe) || errors.As(err, &ne) || exceptionCode(err) == 0 {
		return fmt.Errorf("ClickHouse at %s is unreachable (check address and TLS): %w", addr, err)
	}
	return fmt.Errorf("ClickHouse at %s: %w", addr, err)
}
