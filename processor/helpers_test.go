package processor_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"
	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kafka"
	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/processor"
)

// msg is one generated message with what the generator intends it to be.
type msg struct {
	e    event.Event
	late bool // older than any allowed lateness: must be dead-lettered
}

// generate is a deterministic event stream over 24 h of event time with ~5 % duplicates (re-sent events),
// bursts of presses on one device (some within the repeat interval), 10 % refunds, events 3 days late
// (counted) and 30 days late (dead-lettered).
func generate(n int, seed uint64, base time.Time) []msg {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	const locations = 40
	step := 24 * time.Hour / time.Duration(n)
	out := make([]msg, 0, n)
	lastPress := map[string]time.Time{}
	seen := map[string]bool{}
	subjects := []string{"parking", "queue", "staff"}
	for i := 0; len(out) < n; i++ {
		if len(out) > 100 && r.IntN(100) < 5 { // duplicate of a recent message
			out = append(out, out[len(out)-1-r.IntN(min(len(out), 1000))])
			continue
		}
		loc := fmt.Sprintf("shop:g-%02d", r.IntN(locations))
		t := base.Add(time.Duration(i)*step + time.Duration(r.IntN(1000))*time.Millisecond)
		e := event.Event{ID: fmt.Sprintf("g%d-%d", seed, i), Location: loc, Time: t}
		late := false
		switch k := r.IntN(1000); {
		case k < 20:
			e.Time = t.Add(-72*time.Hour - time.Duration(r.IntN(3600))*time.Second)
		case k < 25 && seen[loc]:
			e.Time = t.Add(-30 * 24 * time.Hour)
			late = true
		}
		switch k := r.IntN(100); {
		case k < 35: // presses, some in bursts on one device
			e.Type = event.TypeButton
			dev := fmt.Sprintf("btn-%d", r.IntN(3))
			e.Device = dev
			if p, ok := lastPress[loc+dev]; ok && r.IntN(4) == 0 && !late {
				e.Time = p.Add(time.Duration(r.IntN(5000)) * time.Millisecond)
			}
			switch r.IntN(3) {
			case 0:
				e.Kind, e.Scale = event.KindSmiley, 3+r.IntN(3)
				e.Value = 1 + r.IntN(e.Scale)
			case 1:
				e.Kind, e.Subject = event.KindLike, subjects[r.IntN(3)]
			default:
				e.Kind, e.Subject = event.KindDislike, subjects[r.IntN(3)]
			}
			if !late {
				lastPress[loc+dev] = e.Time
			}
		case k < 42:
			e.Type, e.Kind, e.Device = event.TypeButton, event.KindConsultation, "seller-1"
		case k < 60:
			e.Type, e.Device, e.In, e.Out = event.TypeCounter, "door-1", int64(r.IntN(20)), int64(r.IntN(20))
		case k < 85:
			e.Type, e.Device = event.TypePOS, "pos-1"
			e.Receipt, e.Amount, e.Items, e.Currency = fmt.Sprintf("R-%d", i), event.Amount(100+r.IntN(500000)), 1+r.IntN(9), "EUR"
			e.Refund = r.IntN(10) == 0
		default:
			e.Type, e.Survey = event.TypeSurvey, "after-visit"
			a := &event.Answers{}
			if r.IntN(5) > 0 {
				a.NPS = ptr(r.IntN(11))
			}
			if r.IntN(2) == 0 {
				a.CSAT = ptr(1 + r.IntN(5))
			}
			if r.IntN(2) == 0 {
				a.CES = ptr(1 + r.IntN(7))
			}
			if a.NPS == nil && a.CSAT == nil && a.CES == nil {
				a.Comment = "fine"
			}
			e.Answers = a
		}
		if !late {
			seen[loc] = true
		}
		out = append(out, msg{e: e, late: late})
	}
	return out
}

func ptr(v int) *int { return &v }

// expected is the test's own computation of the figures, written apart from the processor's code: ids once,
// events 30 days late are dead-lettered, and a press is a repeat when the same device's press just before
// it in event time (whole seconds, ties by id) is less than 3 s earlier, whatever order they arrive in.
type expected struct {
	minutes map[string]kpi.Components // "location|unix minute"
	likes   map[string][2]int64       // "location|subject": likes, dislikes
	stored  int                       // raw rows
	// repeats is the raw rows flagged as repeats: judged among the presses arrived so far (a press
	// counted on arrival and turned into a repeat later keeps its flag; the figures are corrected).
	repeats int
	late    int
}

// pressKey orders presses in event time, ties by id.
type pressKey struct {
	t  int64
	id string
}

func (a pressKey) less(b pressKey) bool { return a.t < b.t || a.t == b.t && a.id < b.id }

// repeatsOf judges the stored presses (in arrival order per device) twice: in event time, the truth the
// figures must show, and on arrival, the flag of each raw row.
func repeatsOf(stored []event.Event, interval int64) (truth map[string]bool, flagged int) {
	truth = map[string]bool{}
	byDevice := map[string][]pressKey{}
	for _, e := range stored {
		if e.Type != event.TypeButton || e.Kind == event.KindConsultation || e.Device == "" {
			continue
		}
		dev := e.Location + "|" + e.Device
		k := pressKey{e.Time.Unix(), e.ID}
		arrived := byDevice[dev]
		i := sort.Search(len(arrived), func(j int) bool { return k.less(arrived[j]) })
		if i > 0 && k.t-arrived[i-1].t < interval {
			flagged++
		}
		byDevice[dev] = slices.Insert(arrived, i, k)
	}
	for _, ps := range byDevice {
		for i := 1; i < len(ps); i++ {
			if ps[i].t-ps[i-1].t < interval {
				truth[ps[i].id] = true
			}
		}
	}
	return truth, flagged
}

func expect(msgs []msg) expected {
	x := expected{minutes: map[string]kpi.Components{}, likes: map[string][2]int64{}}
	ids := map[string]bool{}
	var stored []event.Event
	for _, m := range msgs {
		id := m.e.Location + "|" + m.e.ID // ids are unique per location
		if ids[id] {
			continue
		}
		if m.late {
			x.late++
			continue
		}
		ids[id] = true
		stored = append(stored, m.e)
	}
	x.stored = len(stored)
	repeat, flagged := repeatsOf(stored, 3)
	x.repeats = flagged
	for _, e := range stored {
		if repeat[e.ID] {
			continue
		}
		key := fmt.Sprintf("%s|%d", e.Location, e.Time.Unix()/60*60)
		c := x.minutes[key]
		switch e.Type {
		case event.TypeButton:
			switch e.Kind {
			case event.KindSmiley:
				f := map[[2]int]int64{{3, 1}: 0, {3, 2}: 6, {3, 3}: 12, {4, 1}: 0, {4, 2}: 4, {4, 3}: 8, {4, 4}: 12,
					{5, 1}: 0, {5, 2}: 3, {5, 3}: 6, {5, 4}: 9, {5, 5}: 12}[[2]int{e.Scale, e.Value}]
				c.SmileSum12 += f
				c.SmileSumSq144 += f * f
				c.SmileN++
				c.SmileFaces[e.Value-1]++
			case event.KindLike, event.KindDislike:
				l := x.likes[e.Location+"|"+e.Subject]
				if e.Kind == event.KindLike {
					c.Likes++
					l[0]++
				} else {
					c.Dislikes++
					l[1]++
				}
				x.likes[e.Location+"|"+e.Subject] = l
			default:
				c.Consultations++
			}
		case event.TypeCounter:
			c.Visitors += e.In
			c.Exits += e.Out
		case event.TypePOS:
			sign := int64(1)
			if e.Refund {
				sign = -1
				c.Refunds++
			} else {
				c.Receipts++
			}
			c.RevenueCents += sign * int64(e.Amount)
			c.Items += sign * int64(e.Items)
		case event.TypeSurvey:
			c.Surveys++
			a := e.Answers
			switch {
			case a.NPS == nil:
				c.NPSMissing++
			case *a.NPS >= 9:
				c.Promoters++
			case *a.NPS >= 7:
				c.Passives++
			default:
				c.Detractors++
			}
			if a.CSAT != nil {
				c.CSATN++
				if *a.CSAT >= 4 {
					c.CSATTop2++
				}
			}
			if a.CES != nil {
				c.CESSum += int64(*a.CES)
				c.CESSumSq += int64(*a.CES * *a.CES)
				c.CESN++
			}
		}
		x.minutes[key] = c
	}
	return x
}

// produce writes the messages keyed by location, in order, through the project's producer.
func produce(t testing.TB, kc config.Kafka, msgs []msg) {
	t.Helper()
	p := kafka.NewProducer(kc, kc.Topics.Events, slog.New(slog.DiscardHandler), nil)
	defer p.Close()
	const chunk = 5000
	batch := make([]kafkago.Message, 0, chunk)
	for i := 0; i < len(msgs); i += chunk {
		batch = batch[:0]
		for _, m := range msgs[i:min(i+chunk, len(msgs))] {
			v, err := m.e.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			batch = append(batch, kafkago.Message{Key: []byte(m.e.Location), Value: v})
		}
		if err := p.Produce(context.Background(), batch...); err != nil {
			t.Fatalf("produce: %v", err)
		}
	}
}

// endOffsets is each partition's next offset.
func endOffsets(t testing.TB, kc config.Kafka) map[int]int64 {
	t.Helper()
	c := &kafkago.Client{Addr: kafkago.TCP(kc.Brokers...), Timeout: 10 * time.Second}
	reqs := make([]kafkago.OffsetRequest, kc.Partitions)
	for i := range reqs {
		reqs[i] = kafkago.LastOffsetOf(i)
	}
	res, err := c.ListOffsets(context.Background(), &kafkago.ListOffsetsRequest{Topics: map[string][]kafkago.OffsetRequest{kc.Topics.Events: reqs}})
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]int64{}
	for _, p := range res.Topics[kc.Topics.Events] {
		if p.Error != nil {
			t.Fatal(p.Error)
		}
		out[p.Partition] = p.LastOffset
	}
	return out
}

// waitCaughtUp polls until kpi_minute's marks reach every partition's end.
func waitCaughtUp(t testing.TB, conn driver.Conn, db string, ends map[int]int64, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		done, want, err := caughtUp(conn, db, ends)
		if done == want {
			return
		}
		if time.Now().After(deadline) {
			// The stacks say which goroutine holds the partition back (a reader, the flusher, the group).
			var stacks strings.Builder
			_ = pprof.Lookup("goroutine").WriteTo(&stacks, 1)
			t.Logf("goroutines when the wait gave up:\n%s", stacks.String())
			// Per partition: the end, the kpi_minute mark and the newest raw row, so the failure says whether
			// the tail was never written, or written without its mark.
			for p, end := range ends {
				var mark, raw int64 = -1, -1
				_ = conn.QueryRow(context.Background(), "SELECT toInt64(max(last_offset)) FROM "+clickhouse.Ident(db)+".kpi_minute WHERE kafka_partition = ? HAVING count() > 0", uint16(p)).Scan(&mark)
				_ = conn.QueryRow(context.Background(), "SELECT toInt64(max(kafka_offset)) FROM "+clickhouse.Ident(db)+".events WHERE kafka_partition = ? HAVING count() > 0", uint16(p)).Scan(&raw)
				if mark < end-1 {
					t.Logf("partition %d: end %d, kpi_minute mark %d, newest raw row %d", p, end, mark, raw)
				}
			}
			t.Fatalf("not caught up after %s: %d of %d partitions (err %v)", timeout, done, want, err)
		}
		time.Sleep(25 * time.Millisecond) // fine-grained: the throughput benchmark times this wait
	}
}

// caughtUp counts the partitions whose kpi_minute mark reached their end offset in ends, of want that have
// messages.
func caughtUp(conn driver.Conn, db string, ends map[int]int64) (done, want int, err error) {
	rows, err := conn.Query(context.Background(), "SELECT kafka_partition, max(last_offset) FROM "+clickhouse.Ident(db)+".kpi_minute GROUP BY kafka_partition")
	if err == nil {
		for rows.Next() {
			var (
				p    uint16
				last uint64
			)
			if rows.Scan(&p, &last) == nil && ends[int(p)] > 0 && int64(last) >= ends[int(p)]-1 {
				done++
			}
		}
		rows.Close()
	}
	for _, e := range ends {
		if e > 0 {
			want++
		}
	}
	return done, want, err
}

// check compares ClickHouse with the expectation: every location minute's components, likes per subject,
// raw rows and repeat rows.
func check(t testing.TB, conn driver.Conn, db string, x expected) {
	t.Helper()
	ctx := context.Background()
	var q strings.Builder
	q.WriteString("SELECT location, toUInt32(minute)")
	for _, c := range columnNames {
		q.WriteString(", sum(" + c + ")")
	}
	q.WriteString(" FROM " + clickhouse.Ident(db) + ".kpi_minute GROUP BY location, minute")
	rows, err := conn.Query(ctx, q.String())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]kpi.Components{}
	for rows.Next() {
		var (
			loc string
			m   uint32
			v   = make([]int64, len(columnNames))
		)
		dst := []any{&loc, &m}
		for i := range v {
			dst = append(dst, &v[i])
		}
		if err := rows.Scan(dst...); err != nil {
			t.Fatal(err)
		}
		c := fromValues(v)
		if c != (kpi.Components{}) {
			got[fmt.Sprintf("%s|%d", loc, m)] = c
		}
	}
	rows.Close()
	bad := 0
	for k, w := range x.minutes {
		if got[k] != w {
			if bad++; bad <= 5 {
				t.Errorf("minute %s:\n got  %+v\n want %+v", k, got[k], w)
			}
		}
	}
	for k := range got {
		if _, ok := x.minutes[k]; !ok {
			if bad++; bad <= 5 {
				t.Errorf("minute %s in ClickHouse but not expected: %+v", k, got[k])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d minutes differ", bad, len(x.minutes))
	}
	var stored, repeats uint64
	if err := conn.QueryRow(ctx, "SELECT count(), sum(`repeat`) FROM "+clickhouse.Ident(db)+".events").Scan(&stored, &repeats); err != nil {
		t.Fatal(err)
	}
	if int(stored) != x.stored || int(repeats) != x.repeats {
		t.Errorf("raw events: %d rows, %d repeats; want %d and %d", stored, repeats, x.stored, x.repeats)
	}
	rows, err = conn.Query(ctx, "SELECT location, subject, sum(likes), sum(dislikes) FROM "+clickhouse.Ident(db)+".like_minute WHERE facet = '' GROUP BY location, subject")
	if err != nil {
		t.Fatal(err)
	}
	gotLikes := map[string][2]int64{}
	for rows.Next() {
		var (
			l, s string
			a, b int64
		)
		if err := rows.Scan(&l, &s, &a, &b); err != nil {
			t.Fatal(err)
		}
		gotLikes[l+"|"+s] = [2]int64{a, b}
	}
	rows.Close()
	if len(gotLikes) != len(x.likes) {
		t.Errorf("like subjects: %d, want %d", len(gotLikes), len(x.likes))
	}
	for k, w := range x.likes {
		if gotLikes[k] != w {
			t.Errorf("likes %s: %v, want %v", k, gotLikes[k], w)
		}
	}
	checkRollups(t, conn, db)
}

var columnNames = []string{"promoters", "passives", "detractors", "nps_missing", "csat_top2", "csat_n", "ces_sum", "ces_sumsq", "ces_n",
	"smile_sum12", "smile_sumsq144", "smile_n", "smile_face1", "smile_face2", "smile_face3", "smile_face4", "smile_face5",
	"likes", "dislikes", "visitors", "exits", "receipts", "refunds", "revenue_cents", "items", "consultations", "surveys"}

func fromValues(v []int64) kpi.Components {
	return kpi.Components{Promoters: v[0], Passives: v[1], Detractors: v[2], NPSMissing: v[3], CSATTop2: v[4], CSATN: v[5],
		CESSum: v[6], CESSumSq: v[7], CESN: v[8], SmileSum12: v[9], SmileSumSq144: v[10], SmileN: v[11],
		SmileFaces: [5]int64{v[12], v[13], v[14], v[15], v[16]}, Likes: v[17], Dislikes: v[18], Visitors: v[19], Exits: v[20],
		Receipts: v[21], Refunds: v[22], RevenueCents: v[23], Items: v[24], Consultations: v[25], Surveys: v[26]}
}

// testConfig is the default config pointed at the test's broker and database, with test-sized timings.
func testConfig(t testing.TB, kc config.Kafka, ch config.ClickHouse, group string) *config.Config {
	t.Helper()
	cfg, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Kafka, cfg.ClickHouse = kc, ch
	tuneForTests(cfg, group)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func tuneForTests(cfg *config.Config, group string) {
	cfg.Processor.GroupID = group
	cfg.Processor.FlushInterval = 100 * time.Millisecond
	cfg.Processor.PartitionMaxPending = 20000
	cfg.Kafka.Consumer.SessionTimeout = 6 * time.Second
	cfg.Kafka.Consumer.HeartbeatInterval = time.Second
	cfg.Kafka.Consumer.RebalanceTimeout = 20 * time.Second
	cfg.Kafka.Consumer.JoinGroupBackoff = 200 * time.Millisecond
	cfg.Kafka.Consumer.MaxWait = 100 * time.Millisecond
	cfg.Processor.WriteTimeout = 15 * time.Second
	cfg.Processor.RetryMax = time.Second
}

// testMetrics holds the metrics of every in-process instance, each labelled instance="N".
var (
	testMetrics   = prometheus.NewRegistry()
	testInstances atomic.Int64
)

// startProcessor runs an in-process instance until the returned stop is called (which waits for Run).
func startProcessor(t testing.TB, cfg *config.Config) (stop func()) {
	t.Helper()
	_, stop = startInstance(t, cfg)
	return stop
}

// startInstance is startProcessor, with the instance (for Owns).
func startInstance(t testing.TB, cfg *config.Config) (*processor.Processor, func()) {
	t.Helper()
	reg := prometheus.WrapRegistererWith(prometheus.Labels{"instance": strconv.FormatInt(testInstances.Add(1), 10)}, testMetrics)
	p, err := processor.New(cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), reg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	return p, func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("processor.Run: %v", err)
		}
	}
}

// startChild runs TestHelperProcess as a separate processor (a process that can be SIGKILLed) with the
// given CXM_HELPER_ settings. When the test fails with the child still running, the child is sent
// SIGQUIT first, so the Go runtime prints its goroutines to stderr (what a stalled partition waits on),
// and then killed: a child left running would hold go test's output open until CI's deadline.
func startChild(t testing.TB, env ...string) *exec.Cmd {
	t.Helper()
	return startChildTo(t, os.Stderr, env...)
}

// startChildTo is startChild with the child's log (stderr) going to stderr.
func startChildTo(t testing.TB, stderr io.Writer, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.v=false")
	cmd.Env = append(append(os.Environ(), "CXM_PROCESSOR_HELPER=1"), env...)
	cmd.Stdout, cmd.Stderr = io.Discard, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState != nil {
			return // the test waited for it
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		if t.Failed() {
			_ = cmd.Process.Signal(syscall.SIGQUIT)
			select {
			case <-exited:
				return
			case <-time.After(10 * time.Second):
			}
		}
		_ = cmd.Process.Kill()
		<-exited
	})
	return cmd
}
