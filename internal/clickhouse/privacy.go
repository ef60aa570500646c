package clickhouse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Personal data in the events table: the assessment's name and e-mail (in ext, stored only with consent)
// and survey comments (free text a person may sign), and a customer message's words and contact details
// (given only with consent). Erasing and retention blank exactly these, on survey and message events only;
// the answers' figures and the message's kind stay, no longer tied to a person.
const personalColumns = "ext = '', comment = '', contact = ''"

// personalTypes and hasPersonal select the rows that may hold personal data and still do.
const (
	personalTypes = "type IN ('survey', 'message')"
	hasPersonal   = "(ext != '' OR comment != '' OR contact != '')"
)

// Erasure selects one person's events: by e-mail (as given in the assessment or a survey's "contact me"),
// by phone (as given in "contact me"), or by respondent reference (the session id the assessment's result
// page shows; its event id is "web:cx-maturity:<ref>").
type Erasure struct {
	Email      string
	Phone      string
	Respondent string
}

func (e Erasure) where() (string, []any, error) {
	given := 0
	for _, s := range []string{e.Email, e.Phone, e.Respondent} {
		if s != "" {
			given++
		}
	}
	switch {
	case given > 1:
		return "", nil, errors.New("give one of an e-mail, a phone or a respondent reference, not several")
	case e.Phone != "":
		needle, _ := json.Marshal(strings.TrimSpace(e.Phone))
		return "type = 'survey' AND position(ext, ?) > 0", []any{`"phone":` + string(needle)}, nil
	case e.Email != "":
		needle, _ := json.Marshal(strings.TrimSpace(e.Email))
		// The ext object is written by encoding/json, so the e-mail appears exactly as this needle; a
		// message's contact is the text the person typed.
		return "(type = 'survey' AND positionCaseInsensitive(ext, ?) > 0 OR type = 'message' AND positionCaseInsensitive(contact, ?) > 0)",
			[]any{`"email":` + string(needle), strings.TrimSpace(e.Email)}, nil
	case e.Respondent != "":
		ref := strings.TrimSpace(e.Respondent)
		if len(ref) != 32 || strings.Trim(ref, "0123456789abcdef") != "" {
			return "", nil, fmt.Errorf("respondent reference %q: must be the 32 hex digits the result page shows", ref)
		}
		return "type = 'survey' AND id = ?", []any{"web:cx-maturity:" + ref}, nil
	}
	return "", nil, errors.New("give an e-mail, a phone or a respondent reference")
}

// ErasePersonal blanks the personal columns of the person's events and waits until ClickHouse has
// rewritten them. It returns how many events held them.
func ErasePersonal(ctx context.Context, conn driver.Conn, database string, e Erasure) (uint64, error) {
	where, args, err := e.where()
	if err != nil {
		return 0, err
	}
	return blank(ctx, conn, database, where+" AND "+hasPersonal, args)
}

// RetainPersonal blanks the personal columns of survey events older than cutoff (privacy.retention) and
// returns how many it blanked. It issues a mutation only when some row needs it, so running it every
// privacy.sweep_interval costs one count when there is nothing to do.
func RetainPersonal(ctx context.Context, conn driver.Conn, database string, cutoff time.Time) (uint64, error) {
	return blank(ctx, conn, database, personalTypes+" AND time < ? AND "+hasPersonal, []any{cutoff.UTC().Truncate(time.Second)})
}

func blank(ctx context.Context, conn driver.Conn, database, where string, args []any) (uint64, error) {
	tbl := Ident(database) + ".events"
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM "+tbl+" WHERE "+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("personal data in %s: %w", tbl, err)
	}
	if n == 0 {
		return 0, nil
	}
	if err := conn.Exec(ctx, "ALTER TABLE "+tbl+" UPDATE "+personalColumns+" WHERE "+where, args...); err != nil {
		return 0, fmt.Errorf("blank personal data in %s: %w", tbl, err)
	}
	// A mutation runs in the background; the person is told it is done only once it is.
	for {
		var pending uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM system.mutations WHERE database = ? AND table = 'events' AND is_done = 0", database).Scan(&pending); err != nil {
			return n, fmt.Errorf("wait for the erasure in %s: %w", tbl, err)
		}
		if pending == 0 {
			return n, nil
		}
		select {
		case <-ctx.Done():
			return n, fmt.Errorf("wait for the erasure in %s: %w", tbl, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}
