package api

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	ingestevidence "github.com/cxm-project/cxm/ingest/evidence"
	"github.com/cxm-project/cxm/ingest/rules"
	"github.com/cxm-project/cxm/internal/auth"
	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/objstore"
	"github.com/cxm-project/cxm/processor/buckets"
)

const writeMsk1 = "write-msk1-secret"

var (
	jpegBytes = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0}, bytes.Repeat([]byte{7}, 2000)...)
	htmlBytes = []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>")
)

// visit is an audit of the button template (one element, weight 1) as the ingest stamps it.
func visit(id, loc string, at time.Time, result string, evidence ...string) event.Event {
	capAt := 0.0
	return event.Event{ID: id, Type: event.TypeAudit, Location: loc, Time: at, Audit: &event.Audit{Template: "button",
		Auditor: event.Auditor{Role: event.AuditorDevice, ID: "msb-1"}, Cap: &capAt, Evidence: evidence,
		Elements: []event.AuditResult{{Element: "served", Result: result, Factor: "service", Weight: 1}}}}
}

// TestAuditsAndEvidence: an attachment goes up through the ingest (write token of msk-1) into a local
// directory or an S3-protocol server, its reference into an audit, and comes back through the read API
// only to tokens that may read msk-1; the ИВС of the visits is served with statuses.
func TestAuditsAndEvidence(t *testing.T) {
	f, conn, db := setup(t, nil)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Minute)

	s3b := s3mem.New()
	if err := s3b.CreateBucket("evidence"); err != nil {
		t.Fatal(err)
	}
	s3srv := httptest.NewServer(gofakes3.New(s3b).Server())
	t.Cleanup(s3srv.Close)
	u, _ := url.Parse(s3srv.URL)
	policy := objstore.Policy{MaxBytes: 4096, Types: []string{"image/*", "audio/*", "video/*"}}
	local, err := objstore.NewLocal(t.TempDir(), policy)
	if err != nil {
		t.Fatal(err)
	}
	s3, err := objstore.NewS3(ctx, objstore.S3Config{Endpoint: u.Host, Bucket: "evidence", Region: "us-east-1", AccessKey: "k", SecretKey: "s", PathStyle: true}, policy)
	if err != nil {
		t.Fatal(err)
	}

	cfg := &config.Config{Locations: apiLocations}
	cfg.Audits.Evidence.MaxBytes = 4096
	writeTokens := auth.New([]config.IngestToken{{Name: "msk1-writer", Hash: HashToken(writeMsk1), Locations: []string{"msk-1"}}}, false, config.RateLimit{})

	for _, store := range []struct {
		name string
		s    objstore.Store
	}{{"local", local}, {"s3", s3}} {
		t.Run(store.name, func(t *testing.T) {
			up := http.NewServeMux()
			ingestevidence.New(cfg, writeTokens, rules.New(cfg), store.s, slog.New(slog.DiscardHandler)).Mount(up)
			upload := func(loc string, body []byte) (int, ingestevidence.Uploaded) {
				req := httptest.NewRequest(http.MethodPost, "/v1/evidence?location="+loc, bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+writeMsk1)
				req.Header.Set("Content-Type", "image/jpeg") // a lie for the HTML: the bytes decide
				rec := httptest.NewRecorder()
				up.ServeHTTP(rec, req)
				var out ingestevidence.Uploaded
				_ = json.Unmarshal(rec.Body.Bytes(), &out)
				return rec.Code, out
			}
			code, ok := upload("msk-1", jpegBytes)
			if code != http.StatusCreated || ok.ContentType != "image/jpeg" || ok.Size != int64(len(jpegBytes)) || !strings.HasPrefix(ok.Key, "audits/msk-1/") {
				t.Fatalf("upload: %d %+v", code, ok)
			}
			for _, tc := range []struct {
				name string
				loc  string
				body []byte
				want int
			}{
				{"html named jpeg", "msk-1", htmlBytes, http.StatusUnsupportedMediaType},
				{"over the size", "msk-1", append(append([]byte{}, jpegBytes...), make([]byte, 4096)...), http.StatusRequestEntityTooLarge},
				{"location of another token", "msk-2", jpegBytes, http.StatusForbidden},
				{"unknown location", "nowhere", jpegBytes, http.StatusBadRequest},
			} {
				if code, _ := upload(tc.loc, tc.body); code != tc.want {
					t.Errorf("%s: %d, want %d", tc.name, code, tc.want)
				}
			}

			s := New(&config.Config{ClickHouse: config.ClickHouse{Database: db}, Locations: apiLocations, API: config.API{
				QueryTimeout: 20 * time.Second, MaxRows: 1 << 40, MaxRange: 40 * 24 * time.Hour, MaxExportRows: 1000,
				Tokens: []config.APIToken{{Name: "all", Hash: HashToken(tokAll), All: true}, {Name: "msk1", Hash: HashToken(tokCentral), Locations: []string{"msk-1"}}},
			}}, conn, nil, nil).WithEvidence(store.s)
			mux := http.NewServeMux()
			s.Routes(mux)
			f.mux = mux
			for _, tc := range []struct {
				token, key string
				want       int
			}{
				{tokAll, ok.Key, http.StatusOK},
				{tokCentral, ok.Key, http.StatusOK},
				{"", ok.Key, http.StatusUnauthorized},
				{tokAll, strings.Replace(ok.Key, "msk-1", "msk-2", 1), http.StatusNotFound},
				{tokAll, "audits/msk-1/../../etc/passwd", http.StatusNotFound},
			} {
				rec := f.get(tc.token, "/v1/evidence?key="+url.QueryEscape(tc.key))
				if rec.Code != tc.want {
					t.Errorf("GET %s with %q: %d, want %d", tc.key, tc.token, rec.Code, tc.want)
				}
				if tc.want == http.StatusOK && (!bytes.Equal(rec.Body.Bytes(), jpegBytes) || rec.Header().Get("Content-Type") != "image/jpeg" ||
					rec.Header().Get("X-Content-Type-Options") != "nosniff") {
					t.Errorf("round trip: %d bytes %q %v", rec.Body.Len(), rec.Header().Get("Content-Type"), rec.Header())
				}
			}
			// Scope: evidence of msk-2 (stored by a writer of msk-2) is refused to the msk-1 reader before the
			// store is even asked.
			if _, err := store.s.Put(ctx, "audits/msk-2/2026/12/07/x", bytes.NewReader(jpegBytes)); err != nil {
				t.Fatal(err)
			}
			if rec := f.get(tokCentral, "/v1/evidence?key=audits/msk-2/2026/12/07/x"); rec.Code != http.StatusForbidden {
				t.Errorf("msk-1 reader got msk-2 evidence: %d", rec.Code)
			}
			if rec := f.get(tokAll, "/v1/evidence?key=audits/msk-2/2026/12/07/x"); rec.Code != http.StatusOK {
				t.Errorf("all reader: %d", rec.Code)
			}
		})
	}

	// The visits, stored as the processor stores them.
	evs := []event.Event{
		visit("v1", "msk-1", now.Add(-3*time.Hour), event.ResultMet, "audits/msk-1/a"),
		visit("v2", "msk-1", now.Add(-2*time.Hour), event.ResultNotMet),
		visit("v3", "msk-1", now.Add(-time.Hour), event.ResultMet),
		visit("v4", "msk-2", now.Add(-time.Hour), event.ResultNotMet),
	}
	for i, e := range evs {
		d := buckets.NewDeltas()
		d.Add(&e)
		must(t, buckets.InsertAudits(ctx, conn, db, []buckets.AuditDeltas{{Mark: buckets.Mark{LastOffset: int64(i)}, Audits: d.Audits}}))
		must(t, clickhouse.InsertEvents(ctx, conn, db, []clickhouse.EventRow{{Event: e, Received: e.Time, KafkaOffset: int64(i)}}))
	}
	s := New(&config.Config{ClickHouse: config.ClickHouse{Database: db}, Locations: apiLocations, Audits: config.Audits{Thresholds: auditThresholds(90, 80, 2)}, API: config.API{
		QueryTimeout: 20 * time.Second, MaxRows: 1 << 40, MaxRange: 40 * 24 * time.Hour, MaxExportRows: 1000,
		Tokens: []config.APIToken{{Name: "all", Hash: HashToken(tokAll), All: true}, {Name: "msk1", Hash: HashToken(tokCentral), Locations: []string{"msk-1"}}},
	}}, conn, nil, nil)
	f.mux = http.NewServeMux()
	s.Routes(f.mux)
	rng := "from=" + now.Add(-24*time.Hour).Format(time.RFC3339) + "&to=" + now.Add(time.Minute).Format(time.RFC3339)
	var res struct {
		Series []struct {
			Key   string
			Total struct {
				Value  *float64
				N      int64
				Status string
			}
		}
	}
	rec := f.get(tokAll, "/v1/audits?"+rng)
	must(t, json.Unmarshal(rec.Body.Bytes(), &res))
	if len(res.Series) != 2 || res.Series[0].Key != "msk-1" || *res.Series[0].Total.Value != 200.0/3 || res.Series[0].Total.N != 3 ||
		res.Series[0].Total.Status != "red" || res.Series[1].Total.Status != "grey" {
		t.Fatalf("audits: %s", rec.Body)
	}
	if rec := f.get(tokCentral, "/v1/audits?"+rng+"&location=msk-2"); rec.Code != http.StatusForbidden {
		t.Errorf("msk-1 reader asking for msk-2: %d", rec.Code)
	}
	if rec := f.get(tokAll, "/v1/audits?"+rng+"&by=colour"); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"param":"by"`) {
		t.Errorf("bad by: %d %s", rec.Code, rec.Body)
	}
	rec = f.get(tokCentral, "/v1/audits/visits?"+rng)
	var vs struct {
		Visits []struct {
			ID    string
			Score *float64
			Audit event.Audit
		}
	}
	must(t, json.Unmarshal(rec.Body.Bytes(), &vs))
	if len(vs.Visits) != 3 || vs.Visits[0].ID != "v3" || *vs.Visits[1].Score != 0 || vs.Visits[2].Audit.Evidence[0] != "audits/msk-1/a" {
		t.Fatalf("visits: %s", rec.Body)
	}
	if rec := f.get(tokAll, "/v1/audits/templates"); rec.Code != http.StatusOK {
		t.Errorf("templates: %d", rec.Code)
	}
}

func auditThresholds(y, r float64, n int64) config.ThresholdConfig {
	return config.ThresholdConfig{Yellow: &y, Red: &r, MinN: &n}
}
