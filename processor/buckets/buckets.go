// Package buckets is the processor's minute buckets: how one event maps to kpi.Components, the deltas of a
// batch per location minute (and per like subject), and the kpi_minute / like_minute tables that hold them.
package buckets

import (
	"time"

	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kpi"
)

// Add adds one counted event's contribution to c through the KPI registry's feeds (internal/kpi). Repeats
// and duplicates must not reach it: the caller decides what counts, the feeds only know the formulas.
func Add(c *kpi.Components, e *event.Event) { kpi.Builtin.Feed(c, e) }

// IsPress reports whether e is a press that repeat detection applies to (smiley, like, dislike). The
// consultation button is not: a seller pressing it twice in a row did consult twice.
func IsPress(e *event.Event) bool {
	return e.Type == event.TypeButton && (e.Kind == event.KindSmiley || e.Kind == event.KindLike || e.Kind == event.KindDislike)
}

// MinuteKey identifies a location's minute (unix seconds, a multiple of 60).
type MinuteKey struct {
	Location string
	Minute   int64
}

// LikeKey identifies a subject's likes in a location's minute; with a Facet (why.go), one reason's, seller's
// or review platform's counts instead.
type LikeKey struct {
	Location string
	Minute   int64
	Subject  string
	Facet    string
}

// LikeCounts are the like / dislike presses of one LikeKey, and the counts of the other facets (why.go).
type LikeCounts struct {
	Likes, Dislikes int64
	Facets
}

// Deltas are the components one batch adds, per minute. Only the batch's own events are here: a bucket is
// never kept after its delta is written, a later event of the same minute makes another delta row.
type Deltas struct {
	Minutes map[MinuteKey]*kpi.Components
	Likes   map[LikeKey]*LikeCounts
	// Surveys are the components of configured questionnaires (surveys.go); nil until the batch has one.
	Surveys map[SurveyKey]*kpi.Sums
	// Audits are the audit components (audit.go); nil until the batch holds an audit.
	Audits map[AuditRowKey]*kpi.AuditSum
	// last and lastC cache the most recent Minutes entry: consecutive events of a partition mostly fall
	// in the same location minute, so most events skip the map lookup (and the key's string hashing).
	last  MinuteKey
	lastC *kpi.Components
}

// NewDeltas returns empty deltas.
func NewDeltas() Deltas {
	return Deltas{Minutes: map[MinuteKey]*kpi.Components{}, Likes: map[LikeKey]*LikeCounts{}}
}

// MinuteOf is the start of t's minute in unix seconds (UTC).
func MinuteOf(t time.Time) int64 {
	s := t.Unix()
	return s - mod(s, 60)
}

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

// Add counts e into its minute (and its subject's, for likes and dislikes).
func (d *Deltas) Add(e *event.Event) {
	m := MinuteOf(e.Time)
	c := d.lastC
	if c == nil || d.last.Minute != m || d.last.Location != e.Location {
		k := MinuteKey{Location: e.Location, Minute: m}
		c = d.Minutes[k]
		if c == nil {
			c = &kpi.Components{}
			d.Minutes[k] = c
		}
		d.last, d.lastC = k, c
	}
	Add(c, e)
	if e.Type == event.TypeSurvey {
		d.addSurvey(e, m)
	}
	d.addAudit(e, m)
	if e.Type == event.TypeButton && (e.Kind == event.KindLike || e.Kind == event.KindDislike) {
		lk := LikeKey{Location: e.Location, Minute: m, Subject: e.Subject}
		l := d.Likes[lk]
		if l == nil {
			l = &LikeCounts{}
			d.Likes[lk] = l
		}
		if e.Kind == event.KindLike {
			l.Likes++
		} else {
			l.Dislikes++
		}
	}
	d.addWhy(e, m)
}
