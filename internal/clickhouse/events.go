package clickhouse

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/internal/event"
)

// EventRow is one row of the events table: an accepted event plus what the processor knows about it.
type EventRow struct {
	event.Event
	// Repeat marks a press within the device's repeat interval: stored, not counted.
	Repeat bool
	// Received is when Kafka got the event (the record timestamp).
	Received time.Time
	// KafkaPartition and KafkaOffset identify the record, so the processor can tell what it already wrote.
	KafkaPartition int32
	KafkaOffset    int64
}

// eventColumns is the insert's column list, in the order InsertEvents fills them.
var eventColumns = []string{
	"id", "type", "location", "device", "time",
	"kind", "value", "scale", "subject",
	"in", "out",
	"receipt", "amount_cents", "items", "currency", "seller", "refund",
	"survey", "nps", "csat", "ces", "comment",
	"q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "q10", "q11",
	"ext",
	"repeat", "received", "kafka_partition", "kafka_offset",
	"misuse", "reason", "platform",
	"answers", "audit",
	"contact", "voice", "re", "case_id", "action", "rule", "trigger_id", "source", "actor", "assignee", "note",
	"checklist", "causes",
}

// keepDefault marks the columns always sent, whatever their values: the enums, whose zero value in Go is
// not their default in the table, the times, and what identifies a row and shards it on a cluster.
var keepDefault = func() []bool {
	keep := make([]bool, len(eventColumns))
	for i, c := range eventColumns {
		switch c {
		case "type", "kind", "time", "received", "id", "location", "kafka_partition", "kafka_offset":
			keep[i] = true
		}
	}
	return keep
}()

// allDefault reports whether every value of col is the zero value of its type, which is the default of
// every events column not in keepDefault: the empty string, 0, NULL, an empty array.
func allDefault(col any) bool {
	switch v := col.(type) {
	case []string:
		return zeros(v)
	case [][]string:
		for _, x := range v {
			if len(x) > 0 {
				return false
			}
		}
		return true
	case []*uint8:
		return zeros(v)
	case []uint8:
		return zeros(v)
	case []uint16:
		return zeros(v)
	case []uint32:
		return zeros(v)
	case []uint64:
		return zeros(v)
	case []int32:
		return zeros(v)
	case []int64:
		return zeros(v)
	}
	return false
}

func zeros[T comparable](v []T) bool {
	var zero T
	for _, x := range v {
		if x != zero {
			return false
		}
	}
	return true
}

// eventColumnar holds one slice per column: appending whole columns to the batch is several times faster
// than appending rows, and the processor writes batches of thousands.
type eventColumnar struct {
	id, typ, location, device []string
	time                      []time.Time
	kind                      []string
	value, scale              []uint8
	subject                   []string
	in, out                   []uint32
	receipt                   []string
	amount                    []int64
	items                     []int32
	currency, seller          []string
	refund                    []uint8
	survey                    []string
	nps, csat, ces            []*uint8
	comment                   []string
	q                         [11][]uint8
	ext                       []string
	repeat                    []uint8
	received                  []time.Time
	partition                 []uint16
	offset                    []uint64
	misuse                    []string
	loop                      loopColumns
	reason, platform          []string
	answers                   []string // configured answers (event.ItemsJSON)
	audit                     []string
}

// InsertEvents writes rows to database.events in one INSERT. A row that does not fit the table's types is
// an error naming the row and field, and nothing is written.
func InsertEvents(ctx context.Context, conn driver.Conn, database string, rows []EventRow) error {
	return InsertEventChunks(ctx, conn, database, rows)
}

// InsertEventChunks is InsertEvents of the concatenation of chunks, without building that concatenation
// (the processor passes each partition's batch as it is): still one INSERT, and rows are numbered across
// chunks in error messages.
func InsertEventChunks(ctx context.Context, conn driver.Conn, database string, chunks ...[]EventRow) error {
	n := 0
	for _, ch := range chunks {
		n += len(ch)
	}
	if n == 0 {
		return nil
	}
	c, err := columnsOf(n, chunks)
	if err != nil {
		return err
	}
	cols := []any{
		c.id, c.typ, c.location, c.device, c.time,
		c.kind, c.value, c.scale, c.subject,
		c.in, c.out,
		c.receipt, c.amount, c.items, c.currency, c.seller, c.refund,
		c.survey, c.nps, c.csat, c.ces, c.comment,
		c.q[0], c.q[1], c.q[2], c.q[3], c.q[4], c.q[5], c.q[6], c.q[7], c.q[8], c.q[9], c.q[10],
		c.ext,
		c.repeat, c.received, c.partition, c.offset,
		c.misuse, c.reason, c.platform,
		c.answers, c.audit,
	}
	cols = append(cols, c.loop.columns()...)
	// A column every row leaves at its default is not sent: the server fills it with the same value. Most
	// columns belong to one event type or another (a receipt, a case, an audit), so a flush of presses
	// sends a third of them, and the client builds and compresses that much less.
	var names, quoted []string
	sent := cols[:0]
	for i, col := range cols {
		if !keepDefault[i] && allDefault(col) {
			continue
		}
		names, quoted, sent = append(names, eventColumns[i]), append(quoted, Ident(eventColumns[i])), append(sent, col)
	}
	batch, err := conn.PrepareBatch(ctx, "INSERT INTO "+Ident(database)+".events ("+strings.Join(quoted, ", ")+")")
	if err != nil {
		return fmt.Errorf("insert events into %s: prepare: %w", database, err)
	}
	defer batch.Close()
	for i, col := range sent {
		if err := batch.Column(i).Append(col); err != nil {
			return fmt.Errorf("insert events into %s: column %s: %w", database, names[i], err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("insert %d events into %s: %w", n, database, err)
	}
	return nil
}

// minTime and maxTime bound DateTime, which is seconds since 1970 in a UInt32.
var (
	minTime = time.Unix(0, 0)
	maxTime = time.Unix(math.MaxUint32, 0)
)

func columnsOf(n int, chunks [][]EventRow) (*eventColumnar, error) {
	c := &eventColumnar{
		id: make([]string, n), typ: make([]string, n), location: make([]string, n), device: make([]string, n),
		time: make([]time.Time, n), kind: make([]string, n), value: make([]uint8, n), scale: make([]uint8, n),
		subject: make([]string, n), in: make([]uint32, n), out: make([]uint32, n), receipt: make([]string, n),
		amount: make([]int64, n), items: make([]int32, n), currency: make([]string, n), seller: make([]string, n),
		refund: make([]uint8, n), survey: make([]string, n), nps: make([]*uint8, n), csat: make([]*uint8, n),
		ces: make([]*uint8, n), comment: make([]string, n), ext: make([]string, n), repeat: make([]uint8, n),
		received: make([]time.Time, n), partition: make([]uint16, n), offset: make([]uint64, n),
		misuse: make([]string, n), reason: make([]string, n), platform: make([]string, n), loop: newLoopColumns(n),
		answers: make([]string, n), audit: make([]string, n),
	}
	for k := range c.q {
		c.q[k] = make([]uint8, n)
	}
	// One backing array for the three nullable answers of every row, instead of one allocation each.
	answers := make([]uint8, 3*n)
	i := -1
	for _, rows := range chunks {
		for j := range rows {
			i++
			if err := c.set(i, &rows[j], answers); err != nil {
				return nil, err
			}
		}
	}
	return c, nil
}

// set fills row i of every column from r; answers is the shared backing array of the nullable answers.
func (c *eventColumnar) set(i int, r *EventRow, answers []uint8) error {
	bad := func(field string, v any, want string) error {
		return fmt.Errorf("event row %d (id %q): %s = %v: %s", i, r.ID, field, v, want)
	}
	if r.Time.Before(minTime) || r.Time.After(maxTime) {
		return bad("time", r.Time, "must be between 1970 and 2106 (ClickHouse DateTime)")
	}
	if r.Received.Before(minTime) || r.Received.After(maxTime) {
		return bad("received", r.Received, "must be set, between 1970 and 2106 (ClickHouse DateTime)")
	}
	if r.Value < 0 || r.Value > math.MaxUint8 {
		return bad("value", r.Value, "must be 0..255")
	}
	if r.Scale < 0 || r.Scale > math.MaxUint8 {
		return bad("scale", r.Scale, "must be 0..255")
	}
	if r.In < 0 || r.In > math.MaxUint32 {
		return bad("in", r.In, "must be 0..4294967295")
	}
	if r.Out < 0 || r.Out > math.MaxUint32 {
		return bad("out", r.Out, "must be 0..4294967295")
	}
	if r.Items < math.MinInt32 || r.Items > math.MaxInt32 {
		return bad("items", r.Items, "must fit Int32")
	}
	if r.KafkaPartition < 0 || r.KafkaPartition > math.MaxUint16 {
		return bad("kafka_partition", r.KafkaPartition, "must be 0..65535")
	}
	if r.KafkaOffset < 0 {
		return bad("kafka_offset", r.KafkaOffset, "must be >= 0")
	}
	c.id[i], c.typ[i], c.location[i], c.device[i], c.time[i] = r.ID, string(r.Type), r.Location, r.Device, r.Time
	c.kind[i], c.value[i], c.scale[i], c.subject[i] = r.Kind, uint8(r.Value), uint8(r.Scale), r.Subject
	c.in[i], c.out[i] = uint32(r.In), uint32(r.Out)
	c.receipt[i], c.amount[i], c.items[i], c.currency[i], c.seller[i] = r.Receipt, int64(r.Amount), int32(r.Items), r.Currency, r.Seller
	c.refund[i] = b2u(r.Refund)
	c.survey[i] = r.Survey
	if a := r.Answers; a != nil {
		for k, p := range []*int{a.NPS, a.CSAT, a.CES} {
			if p == nil {
				continue
			}
			if *p < 0 || *p > math.MaxUint8 {
				return bad([]string{"answers.nps", "answers.csat", "answers.ces"}[k], *p, "must be 0..255")
			}
			answers[3*i+k] = uint8(*p)
			switch k {
			case 0:
				c.nps[i] = &answers[3*i]
			case 1:
				c.csat[i] = &answers[3*i+1]
			case 2:
				c.ces[i] = &answers[3*i+2]
			}
		}
		c.comment[i] = a.Comment
		c.answers[i] = event.ItemsJSON(a.Items)
		for k, q := range a.Q {
			if q < 0 {
				return bad(fmt.Sprintf("answers.q%d", k+1), q, "must be >= 0 (0 = not answered)")
			}
			c.q[k][i] = uint8(q)
		}
	}
	if m := r.Message; m != nil {
		c.comment[i] = m.Text // the customer's words, beside the survey comments (see loop.go)
	}
	c.ext[i] = string(r.Ext)
	c.repeat[i], c.received[i] = b2u(r.Repeat), r.Received
	c.partition[i], c.offset[i] = uint16(r.KafkaPartition), uint64(r.KafkaOffset)
	c.misuse[i] = r.Misuse
	c.loop.set(i, &r.Event)
	c.reason[i], c.platform[i] = r.Reason, r.Platform
	if r.Audit != nil {
		b, _ := r.Audit.MarshalJSON()
		c.audit[i] = string(b)
	}
	return nil
}

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}
