package clickhouse

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Versions where features CXM gates on first appeared (ClickHouse changelogs 2019).
const (
	// Per-column compression codecs: 19.1.6.
	CodecsMajor, CodecsMinor = 19, 1
	// LowCardinality without allow_experimental_low_cardinality_type (that setting became obsolete in 19.3).
	LowCardinalityMajor, LowCardinalityMinor = 19, 3
	// Table and column TTL: 19.6.2.
	TTLMajor, TTLMinor = 19, 6
)

// Version is a ClickHouse server version, e.g. 18.16.1 or 24.8.4.13.
type Version struct {
	Major, Minor, Patch int
	// Raw is what the server reported.
	Raw string
}

// AtLeast reports whether the server is major.minor or newer.
func (v Version) AtLeast(major, minor int) bool {
	if v.Major != major {
		return v.Major > major
	}
	return v.Minor >= minor
}

func (v Version) String() string {
	if v.Raw != "" {
		return v.Raw
	}
	return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
}

// ParseVersion parses what SELECT version() returns: "18.16.1", "24.8.4.13", "23.3.1.2823-lts".
func ParseVersion(s string) (Version, error) {
	v := Version{Raw: s}
	core, _, _ := strings.Cut(s, "-")
	parts := strings.Split(core, ".")
	if len(parts) < 2 {
		return Version{}, fmt.Errorf("clickhouse version %q: want major.minor[.patch...]", s)
	}
	nums := []*int{&v.Major, &v.Minor, &v.Patch}
	for i := 0; i < len(parts) && i < len(nums); i++ {
		n, err := strconv.Atoi(parts[i])
		if err != nil || n < 0 {
			return Version{}, fmt.Errorf("clickhouse version %q: part %d %q is not a number", s, i+1, parts[i])
		}
		*nums[i] = n
	}
	return v, nil
}

// ServerVersion asks the server for its version. SELECT version() is used rather than the handshake so
// that the answer is the same whichever connection of the pool runs it and includes the full string.
func ServerVersion(ctx context.Context, conn driver.Conn) (Version, error) {
	var s string
	if err := conn.QueryRow(ctx, "SELECT version()").Scan(&s); err != nil {
		return Version{}, fmt.Errorf("clickhouse: SELECT version(): %w", err)
	}
	return ParseVersion(s)
}
