package plugin

import (
	"strings"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/cxm-project/cxm/internal/clickhouse"
)

// where collects SQL conditions and their positional arguments; building SQL is kept apart from running
// it so that the statements can be tested as text.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// timeRange restricts a DateTime('UTC') column to [from, to] (Grafana's range includes its end). Times
// are passed as Unix seconds so the server's time zone never shifts them.
func (w *where) timeRange(col string, from, to time.Time) {
	w.add(col+" >= toDateTime(?, 'UTC') AND "+col+" <= toDateTime(?, 'UTC')", from.Unix(), to.Unix())
}

// locations restricts the location column to the selection.
func (w *where) locations(sel Selection) {
	if sel.All {
		return
	}
	if len(sel.IDs) == 0 {
		w.add("0")
		return
	}
	w.add("location IN ?", inSet(sel.IDs))
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return "1"
	}
	return strings.Join(w.conds, " AND ")
}

// inSet binds a list as (a, b, c) for IN.
func inSet(values []string) ch.GroupSet {
	vs := make([]any, len(values))
	for i, v := range values {
		vs[i] = v
	}
	return ch.GroupSet{Value: vs}
}

// table is database.table, quoted.
func table(database, name string) string {
	return clickhouse.Ident(database) + "." + clickhouse.Ident(name)
}
