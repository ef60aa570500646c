package ingest_test

import (
	"fmt"
	"testing"
	"time"

	cxmtest "github.com/cxm-project/cxm/internal/testutil"
)

// TestIDsScopedToLocation: ids are unique per location, so a token for one location cannot make another
// location's event a "duplicate" by sending its id first (before, the shop-1 token's event suppressed the
// real shop-2 one). Within a location the id still counts once.
func TestIDsScopedToLocation(t *testing.T) {
	e := start(t, cxmtest.Kafka(t), nil)
	now := time.Now()
	pos := func(loc string) []byte {
		return []byte(fmt.Sprintf(`{"id":"pos:shop-2:R-1","type":"pos","location":%q,"device":"till-1","time":%q,"receipt":"R-1","amount":"12.50","items":1,"currency":"EUR"}`,
			loc, now.Format(time.RFC3339)))
	}
	for _, c := range []struct {
		name, token, loc string
		accepted, dups   int
	}{
		{"shop-1's token sends shop-2's id first", tokenShop1, "shop-1", 1, 0},
		{"shop-2's event is not a duplicate of it", tokenAll, "shop-2", 1, 0},
		{"shop-2's event again is", tokenAll, "shop-2", 0, 1},
		{"and so is shop-1's again", tokenShop1, "shop-1", 0, 1},
	} {
		code, _, a := e.do(t, post{token: c.token, body: pos(c.loc)})
		if code != 200 || a.Accepted != c.accepted || a.Duplicates != c.dups {
			t.Errorf("%s: %d %+v, want accepted %d, duplicates %d", c.name, code, a, c.accepted, c.dups)
		}
	}
}
