package buckets

import (
	"context"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kpi"
)

// AuditRowKey identifies one audit_minute component of a location's minute.
type AuditRowKey struct {
	Location string
	Minute   int64
	kpi.AuditKey
}

// AuditDeltas are one Kafka partition's audit_minute rows of a flush.
type AuditDeltas struct {
	Mark   Mark
	Audits map[AuditRowKey]*kpi.AuditSum
}

// addAudit counts an audit's components (kpi.AuditComponents) into its minute.
func (d *Deltas) addAudit(e *event.Event, minute int64) {
	if e.Type != event.TypeAudit || e.Audit == nil {
		return
	}
	if d.Audits == nil {
		d.Audits = map[AuditRowKey]*kpi.AuditSum{}
	}
	for k, s := range kpi.AuditComponents(e.Audit) {
		rk := AuditRowKey{Location: e.Location, Minute: minute, AuditKey: k}
		dst := d.Audits[rk]
		if dst == nil {
			dst = &kpi.AuditSum{}
			d.Audits[rk] = dst
		}
		dst.Add(s)
	}
}

// InsertAudits writes the audit deltas of every partition to audit_minute in one insert (one part).
func InsertAudits(ctx context.Context, conn driver.Conn, database string, parts []AuditDeltas) error {
	n := 0
	for i := range parts {
		n += len(parts[i].Audits)
	}
	if n == 0 {
		return nil
	}
	loc, tmpl, dim, key := make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
	minute := make([]time.Time, 0, n)
	cnt, sum, sq := make([]int64, 0, n), make([]int64, 0, n), make([]int64, 0, n)
	part, last := make([]uint16, 0, n), make([]uint64, 0, n)
	for _, p := range parts {
		for k, s := range p.Audits {
			loc, minute, tmpl, dim, key = append(loc, k.Location), append(minute, unix(k.Minute)), append(tmpl, k.Template), append(dim, k.Dim), append(key, k.Key)
			cnt, sum, sq = append(cnt, s.N), append(sum, s.Sum), append(sq, s.SumSq)
			part, last = append(part, uint16(p.Mark.Partition)), append(last, uint64(p.Mark.LastOffset))
		}
	}
	return insertColumns(ctx, conn, database, "audit_minute",
		[]string{"location", "minute", "template", "dim", "key", "n", "sum", "sumsq", "kafka_partition", "last_offset"},
		[]any{loc, minute, tmpl, dim, key, cnt, sum, sq, part, last})
}
