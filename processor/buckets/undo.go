package buckets

import (
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kpi"
)

// Sub takes back e's contribution: a press counted earlier that a press before it in event time, arriving
// later, turned into a repeat. The delta row of e's minute then carries the negative part, so every sum
// over kpi_minute (and the rollups fed from it) is corrected like any late event.
func (d *Deltas) Sub(e *event.Event) {
	var c kpi.Components
	Add(&c, e)
	k := MinuteKey{Location: e.Location, Minute: MinuteOf(e.Time)}
	dst := d.Minutes[k]
	if dst == nil {
		dst = &kpi.Components{}
		d.Minutes[k] = dst
	}
	for _, col := range kpi.Columns {
		*col.Field(dst) -= *col.Field(&c)
	}
	if e.Type == event.TypeButton && (e.Kind == event.KindLike || e.Kind == event.KindDislike) {
		lk := LikeKey{Location: e.Location, Minute: k.Minute, Subject: e.Subject}
		l := d.Likes[lk]
		if l == nil {
			l = &LikeCounts{}
			d.Likes[lk] = l
		}
		if e.Kind == event.KindLike {
			l.Likes--
		} else {
			l.Dislikes--
		}
	}
}
