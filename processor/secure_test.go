package processor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cxm-project/cxm/ingest/ingesttest"
	"github.com/cxm-project/cxm/internal/auth"
	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/testutil"
)

const secureToken = "cxm_test_secure_0123456789abcdefghijklmnopqr"

// TestSecureKafkaEndToEnd runs the pipeline against a broker that accepts only TLS with SASL, once per
// mechanism: events posted to the ingest (producer, dead-letter producer, readiness ping) reach ClickHouse
// through the processor (consumer group, partition readers, end offsets), a second ingest instance knows
// the first one's ids (its dedupe tail read them back), and a rejected event is in the dead-letter topic.
func TestSecureKafkaEndToEnd(t *testing.T) {
	for _, mech := range []string{config.SASLPlain, config.SASLScramSHA256, config.SASLScramSHA512} {
		t.Run(mech, func(t *testing.T) {
			kc := testutil.SecureKafka(t, mech)
			conn, ch := testutil.ClickHouse(t)
			stop := startProcessor(t, testConfig(t, kc, ch, "secure"))
			defer stop()

			now := time.Now().UTC().Truncate(time.Second)
			const n = 40
			var body []string
			for i := range n {
				body = append(body, secureSmiley(fmt.Sprintf("s-%02d", i), []string{"shop-1", "shop-2"}[i%2], now.Add(-time.Duration(i)*time.Minute)))
			}
			body = append(body, secureSmiley("s-00", "shop-1", now))                                              // again in the request
			body = append(body, strings.Replace(secureSmiley("bad", "shop-1", now), `"value":4`, `"value":9`, 1)) // rejected

			first := startSecureIngest(t, kc)
			got := postEvents(t, first, body)
			if want := fmt.Sprintf("accepted=%d duplicate=1 rejected=1", n); got != want {
				t.Fatalf("first ingest: %s, want %s", got, want)
			}
			// A second instance learns the ids from the events topic (its dedupe tail) before it is ready.
			second := startSecureIngest(t, kc)
			if got := postEvents(t, second, body[:n]); got != fmt.Sprintf("accepted=0 duplicate=%d rejected=0", n) {
				t.Fatalf("second ingest, ids sent again: %s, want all %d duplicates", got, n)
			}

			db := clickhouse.Ident(ch.Database)
			deadline := time.Now().Add(time.Minute)
			for {
				var raw, smiles uint64
				err := conn.QueryRow(context.Background(), "SELECT (SELECT count() FROM "+db+".events), (SELECT toUInt64(sum(smile_n)) FROM "+db+".kpi_minute)").Scan(&raw, &smiles)
				if err == nil && raw == n && smiles == n {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("ClickHouse has %d raw events and %d smiley presses (err %v), want %d each", raw, smiles, err, n)
				}
				time.Sleep(100 * time.Millisecond)
			}
			dead := ingesttest.ReadAll(t, kc, kc.Topics.DeadLetter)
			if len(dead) != 1 || !bytes.Contains(dead[0].Value, []byte(`"id":"bad"`)) {
				t.Errorf("dead-letter topic holds %d messages, want the rejected event", len(dead))
			}
		})
	}
}

func secureSmiley(id, loc string, at time.Time) string {
	return fmt.Sprintf(`{"id":%q,"type":"button","location":%q,"device":"s1","time":%q,"kind":"smiley","value":4,"scale":5}`,
		id, loc, at.Format(time.RFC3339))
}

// startSecureIngest runs an ingest instance on a loopback port until the test ends and waits until its
// /readyz (which pings Kafka over TLS and SASL) says ready.
func startSecureIngest(t *testing.T, kc config.Kafka) string {
	t.Helper()
	cfg := ingesttest.Config(t, kc)
	cfg.Ingest.Tokens = []config.IngestToken{{Name: "all", Hash: auth.Hash(secureToken), All: true}}
	return ingesttest.Start(t, cfg).URL
}

// postEvents posts the events as one JSON array and sums up the outcomes.
func postEvents(t *testing.T, url string, events []string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/v1/events", strings.NewReader("["+strings.Join(events, ",")+"]"))
	req.Header.Set("Authorization", "Bearer "+secureToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var a struct {
		Results []struct {
			Status string `json:"status"`
		} `json:"results"`
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatalf("answer %d is not JSON: %s", resp.StatusCode, raw)
	}
	count := map[string]int{}
	for _, r := range a.Results {
		count[r.Status]++
	}
	return fmt.Sprintf("accepted=%d duplicate=%d rejected=%d", count["accepted"], count["duplicate"], count["rejected"])
}
