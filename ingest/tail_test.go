package ingest_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/cxm-project/cxm/internal/config"
	cxmtest "github.com/cxm-project/cxm/internal/testutil"
)

// TestTailReadsOnlyOthers: two instances write into the same partitions at the same time, so their events
// interleave. Each tail reads exactly the other's events (the gaps between its own writes) and none of its
// own, and each learns every id the other accepted.
func TestTailReadsOnlyOthers(t *testing.T) {
	k := cxmtest.Kafka(t)
	a, b := start(t, k, nil), start(t, k, nil)
	now := time.Now()
	locs := []string{"shop-1", "shop-2", "clinic-1", "web"}
	const clients, requests, perRequest = 3, 8, 40
	var wg sync.WaitGroup
	errs := make(chan error, 2*clients*requests)
	ids := map[string][]string{}
	for _, inst := range []struct {
		name string
		e    *env
	}{{"a", a}, {"b", b}} {
		for c := range clients {
			for r := range requests {
				var lines []string
				for i := range perRequest {
					id := fmt.Sprintf("%s-%d-%d-%d", inst.name, c, r, i)
					ids[inst.name] = append(ids[inst.name], locs[i%len(locs)]+"|"+id)
					lines = append(lines, smiley(id, locs[i%len(locs)], now))
				}
				body := []byte(strings.Join(lines, "\n"))
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- postAll(inst.e.url, body, perRequest)
				}()
			}
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name   string
		e      *env
		others []string
	}{{"a", a, ids["b"]}, {"b", b, ids["a"]}} {
		for _, li := range tc.others {
			loc, id, _ := strings.Cut(li, "|")
			for deadline := time.Now().Add(30 * time.Second); !tc.e.svc.Knows(loc, id); time.Sleep(20 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("instance %s never learned %s from the events topic", tc.name, id)
				}
			}
		}
		own, others := tc.e.svc.TailRead()
		if own != 0 || others != int64(len(tc.others)) {
			t.Errorf("instance %s read %d of its own events and %d of the other's; want 0 and %d", tc.name, own, others, len(tc.others))
		}
	}
	// Each id is in Kafka once, and a retry at the other instance is a duplicate.
	counts := idCounts(t, k)
	for _, li := range append(ids["a"], ids["b"]...) {
		_, id, _ := strings.Cut(li, "|")
		if counts[id] != 1 {
			t.Errorf("%s is %d times in Kafka", id, counts[id])
		}
	}
	loc, id, _ := strings.Cut(ids["a"][0], "|")
	if code, _, ans := b.do(t, post{token: tokenAll, body: []byte(smiley(id, loc, now))}); code != 200 || ans.Duplicates != 1 {
		t.Errorf("a's event sent to b: %d %+v", code, ans)
	}
}

// postAll posts an NDJSON body and checks that all n events were accepted.
func postAll(url string, body []byte, n int) error {
	req, _ := http.NewRequest("POST", url+"/v1/events", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tokenAll)
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	_, _ = out.ReadFrom(resp.Body)
	if want := fmt.Sprintf(`{"accepted":%d,`, n); resp.StatusCode != 200 || !bytes.HasPrefix(out.Bytes(), []byte(want)) {
		return fmt.Errorf("%d %s", resp.StatusCode, out.Bytes())
	}
	return nil
}

// TestAbandonedWriteLearned: the broker holds a produce request past ingest.produce_timeout, so the client
// gets 503 although the events are then written. The instance never learns their offsets from its producer
// (the call failed), so its tail reads them and, as their write was reported failed, learns their ids: the
// retry is answered "duplicate" and Kafka holds each event once.
func TestAbandonedWriteLearned(t *testing.T) {
	k, cluster := ownKafka(t, 3)
	release := make(chan struct{})
	var held atomic.Bool
	cluster.ControlKey(kmsg.Produce.Int16(), func(r kmsg.Request) (kmsg.Response, error, bool) {
		req := r.(*kmsg.ProduceRequest)
		if len(req.Topics) == 0 || req.Topics[0].Topic != k.Topics.Events || held.Swap(true) {
			return nil, nil, false
		}
		cluster.SleepControl(func() { <-release }) // then the broker writes it as usual
		cluster.DropControl()
		return nil, nil, false
	})
	e := start(t, k, func(c *config.Config) { c.Ingest.ProduceTimeout = 500 * time.Millisecond })
	now := time.Now()
	body := []byte("[" + smiley("late-1", "shop-1", now) + "]")
	if code, _, a := e.do(t, post{token: tokenAll, body: body}); code != 503 {
		close(release)
		t.Fatalf("held write: %d %+v, want 503", code, a)
	}
	close(release)
	for deadline := time.Now().Add(30 * time.Second); !e.svc.Knows("shop-1", "late-1"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the tail never learned late-1, written after its request failed")
		}
	}
	if code, _, a := e.do(t, post{token: tokenAll, body: body}); code != 200 || a.Duplicates != 1 {
		t.Fatalf("retry: %d %+v, want a duplicate", code, a)
	}
	if own, _ := e.svc.TailRead(); own != 1 {
		t.Errorf("the tail read %d of the instance's own events, want 1 (late-1)", own)
	}
	if ids := idCounts(t, k); ids["late-1"] != 1 {
		t.Errorf("late-1 is %d times in Kafka", ids["late-1"])
	}
}
