package importer

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Bar shows an import's progress: a redrawn bar with rate and ETA on a terminal, a plain line every
// interval otherwise (logs and CI keep every line, so redrawing there would only add noise).
type Bar struct {
	w        io.Writer
	terminal bool
	total    int64 // input bytes; 0 when unknown (stdin)
	interval time.Duration
	start    time.Time
	last     time.Time
}

// NewBar returns a bar over an input of total bytes.
func NewBar(w io.Writer, terminal bool, total int64) *Bar {
	iv := 10 * time.Second
	if terminal {
		iv = 200 * time.Millisecond
	}
	now := time.Now()
	return &Bar{w: w, terminal: terminal, total: total, interval: iv, start: now, last: now}
}

// Update redraws when the interval passed.
func (b *Bar) Update(p Progress) {
	if now := time.Now(); now.Sub(b.last) >= b.interval {
		b.last = now
		b.draw(p, now, false)
	}
}

// Done draws the final state.
func (b *Bar) Done(p Progress) { b.draw(p, time.Now(), true) }

func (b *Bar) draw(p Progress, now time.Time, done bool) {
	el := now.Sub(b.start).Seconds()
	rate := 0.0
	if el > 0 {
		rate = float64(p.Rows) / el
	}
	frac := -1.0
	if b.total > 0 {
		frac = min(1, float64(p.Bytes)/float64(b.total))
	}
	eta := "?"
	if frac > 0 && !done {
		eta = (time.Duration(el/frac*(1-frac)) * time.Second).Round(time.Second).String()
	} else if done {
		eta = "0s"
	}
	if !b.terminal {
		pct := ""
		if frac >= 0 {
			pct = fmt.Sprintf(" %3.0f%%", frac*100)
		}
		fmt.Fprintf(b.w, "import:%s %d rows, %.0f rows/s, ETA %s\n", pct, p.Rows, rate, eta)
		return
	}
	const width = 30
	bar := ""
	if frac >= 0 {
		n := int(frac * width)
		bar = "[" + strings.Repeat("=", n) + strings.Repeat(" ", width-n) + "]" + fmt.Sprintf(" %3.0f%%", frac*100)
	}
	end := ""
	if done {
		end = "\n"
	}
	fmt.Fprintf(b.w, "\r%s %d rows  %.0f rows/s  ETA %s\x1b[K%s", bar, p.Rows, rate, eta, end)
}
