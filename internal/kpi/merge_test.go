package kpi

// merge adds o into c, column by column (the tests' sums; the query engine sums the same columns).
func merge(c, o *Components) {
	for _, col := range Columns {
		*col.Field(c) += *col.Field(o)
	}
}
