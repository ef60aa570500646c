package ingest_test

import (
	"testing"
	"time"

	cxmtest "github.com/cxm-project/cxm/internal/testutil"
)

// TestByteOrderMark: a body that starts with a UTF-8 byte-order mark (as Windows tools save files) is
// read as if it had none, in each of the three body forms; a mark anywhere else is still the event's
// syntax error.
func TestByteOrderMark(t *testing.T) {
	k := cxmtest.Kafka(t)
	e := start(t, k, nil)
	now := time.Now()
	const bom = "\ufeff"
	for _, tc := range []struct {
		name, ct, body string
		accepted       int
	}{
		{"object", "application/json", bom + smiley("bom-1", "shop-1", now), 1},
		{"array", "application/json", bom + "[" + smiley("bom-2", "shop-1", now) + "," + smiley("bom-3", "shop-1", now) + "]", 2},
		{"ndjson", "application/x-ndjson", bom + smiley("bom-4", "shop-1", now) + "\n" + smiley("bom-5", "shop-1", now) + "\n", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, a := e.do(t, post{token: tokenAll, contentType: tc.ct, body: []byte(tc.body)})
			if code != 200 || a.Accepted != tc.accepted || a.Rejected != 0 {
				t.Errorf("%d %+v, want %d accepted", code, a, tc.accepted)
			}
		})
	}
	// Inside NDJSON, on the second line, it is not a file's mark but a bad event.
	code, _, a := e.do(t, post{token: tokenAll, contentType: "application/x-ndjson",
		body: []byte(smiley("bom-6", "shop-1", now) + "\n" + bom + smiley("bom-7", "shop-1", now) + "\n")})
	if code != 200 || a.Accepted != 1 || a.Rejected != 1 {
		t.Errorf("a mark on line 2: %d %+v, want 1 accepted and 1 rejected", code, a)
	}
	ids := idCounts(t, k)
	for _, id := range []string{"bom-1", "bom-2", "bom-3", "bom-4", "bom-5", "bom-6"} {
		if ids[id] != 1 {
			t.Errorf("%s is %d times in Kafka, want once", id, ids[id])
		}
	}
}
