package api

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/processor/buckets"
)

// TestWhyEndpoints: reasons, breakdowns and hand-off through HTTP, each answer checked against
// openapi.yaml and against figures computed by hand.
func TestWhyEndpoints(t *testing.T) {
	f, conn, db := setup(t, nil)
	at := time.Date(2026, 5, 1, 10, 5, 0, 0, time.UTC)
	evs := []event.Event{
		{Type: event.TypeButton, Kind: event.KindSmiley, Value: 1, Scale: 5, Reason: "queue"},
		{Type: event.TypeButton, Kind: event.KindSmiley, Value: 2, Scale: 5, Reason: "queue"},
		{Type: event.TypeButton, Kind: event.KindSmiley, Value: 1, Scale: 5, Reason: "rude"},
		{Type: event.TypeButton, Kind: event.KindConsultation, Seller: "ivanova"},
		{Type: event.TypePOS, Receipt: "r1", Amount: 2500, Items: 2, Seller: "ivanova"},
		{Type: event.TypeButton, Kind: event.KindLike, Subject: "parking"},
		{Type: event.TypeReview, Kind: event.KindShown, Platform: "yandex"},
		{Type: event.TypeReview, Kind: event.KindShown, Platform: "yandex"},
		{Type: event.TypeReview, Kind: event.KindClick, Platform: "yandex"},
	}
	d := buckets.NewDeltas()
	for i := range evs {
		evs[i].Location, evs[i].Time = "msk-1", at
		d.Add(&evs[i])
	}
	must(t, buckets.InsertLikes(context.Background(), conn, db, []buckets.LikeDeltas{{Likes: d.Likes}}))
	const rng = "&from=2026-05-01T10:00:00Z&to=2026-05-01T11:00:00Z"

	rec := f.get(tokAll, "/v1/reasons?location=msk-1"+rng)
	var rs struct {
		Rows []struct {
			Reason            string
			Count, Total      int64
			Share, Cumulative float64
		}
	}
	must(t, json.Unmarshal(rec.Body.Bytes(), &rs))
	// queue 2 of 3 negative answers, then rude 1 of 3: the Pareto reaches 1.
	if rec.Code != 200 || len(rs.Rows) != 2 || rs.Rows[0].Reason != "queue" || rs.Rows[0].Count != 2 || rs.Rows[0].Total != 3 ||
		rs.Rows[1].Reason != "rude" || rs.Rows[1].Cumulative != 1 {
		t.Errorf("reasons %d %s", rec.Code, rec.Body)
	}

	rec = f.get(tokAll, "/v1/breakdown?group=seller&location=msk-1"+rng)
	var bs struct {
		Rows []struct {
			Key                     string
			N                       int64
			Withheld                bool
			Consultations, Receipts *int64
			Revenue                 *float64
		}
	}
	must(t, json.Unmarshal(rec.Body.Bytes(), &bs))
	// The API's config has breakdown.min_sample 0: ivanova's 1 consultation and 1 receipt of 25.00 show.
	if rec.Code != 200 || len(bs.Rows) != 1 || bs.Rows[0].Key != "ivanova" || bs.Rows[0].N != 2 || *bs.Rows[0].Consultations != 1 ||
		*bs.Rows[0].Receipts != 1 || *bs.Rows[0].Revenue != 25 {
		t.Errorf("breakdown %d %s", rec.Code, rec.Body)
	}
	rec = f.get(tokAll, "/v1/breakdown?group=subject&subject=parking"+rng)
	if rec.Code != 200 || !json.Valid(rec.Body.Bytes()) {
		t.Errorf("subject breakdown %d %s", rec.Code, rec.Body)
	}

	rec = f.get(tokAll, "/v1/handoff?location=msk-1"+rng)
	var hs struct {
		Rows []struct {
			Platform      string
			Shown, Clicks int64
			Rate          *float64
		}
	}
	must(t, json.Unmarshal(rec.Body.Bytes(), &hs))
	if rec.Code != 200 || len(hs.Rows) != 2 || hs.Rows[0].Platform != "yandex" || hs.Rows[0].Shown != 2 || hs.Rows[0].Clicks != 1 || *hs.Rows[0].Rate != 0.5 {
		t.Errorf("handoff %d %s", rec.Code, rec.Body)
	}

	for _, c := range []struct {
		token, path string
		code        int
		param       string
	}{
		{tokAll, "/v1/breakdown?group=region" + rng, http.StatusBadRequest, "group"},
		{tokAll, "/v1/breakdown?group=subject&seller=x" + rng, http.StatusBadRequest, "seller"},
		{tokAll, "/v1/reasons?location=msk-1", http.StatusBadRequest, "from"},
		{tokCentral, "/v1/handoff?location=msk-2" + rng, http.StatusForbidden, "location"},
		{"", "/v1/reasons" + "?x=1" + rng, http.StatusUnauthorized, "authorization"},
	} {
		rec := f.get(c.token, c.path)
		var e struct{ Param string }
		_ = json.Unmarshal(rec.Body.Bytes(), &e)
		if rec.Code != c.code || e.Param != c.param {
			t.Errorf("%s: %d %s, want %d on %s", c.path, rec.Code, rec.Body, c.code, c.param)
		}
	}
}
