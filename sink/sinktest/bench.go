package sinktest

import (
	"fmt"
	"time"

	"github.com/facolos/etl/connector"
)

// WideTable is the 20-column table of the sink benchmarks: a BIGINT key and
// 19 columns cycling through text, decimal, timestamp and integer.
func WideTable() *connector.Table {
	t := &connector.Table{Schema: "staging", Name: "bench_wide", PrimaryKey: []string{"id"}}
	t.Columns = append(t.Columns, connector.Column{Name: "id", Type: connector.Int})
	for i := 1; i < 20; i++ {
		var c connector.Column
		switch i % 4 {
		case 0:
			c = connector.Column{Type: connector.Int}
		case 1:
			c = connector.Column{Type: connector.String, Length: 200}
		case 2:
			c = connector.Column{Type: connector.Decimal, Precision: 18, Scale: 4}
		case 3:
			c = connector.Column{Type: connector.Timestamp}
		}
		c.Name, c.Nullable = fmt.Sprintf("c%02d", i), true
		t.Columns = append(t.Columns, c)
	}
	return t
}

// WideRows returns n rows of WideTable with keys from offset; rows of another
// version differ in every non-key column.
func WideRows(n, offset, version int) [][]any {
	base := time.Date(2025, 10, 27, 0, 0, 0, 0, time.UTC)
	rows := make([][]any, n)
	for r := range rows {
		row := make([]any, 20)
		k := offset + r
		row[0] = int64(k)
		for i := 1; i < 20; i++ {
			switch i % 4 {
			case 0:
				row[i] = int64(k*i + version)
			case 1:
				row[i] = fmt.Sprintf("Khách hàng %d-%d v%d", k, i, version)
			case 2:
				row[i] = connector.DecFromInt(int64(k*1000 + version))
			case 3:
				row[i] = base.Add(time.Duration(k+version) * time.Second)
			}
		}
		rows[r] = row
	}
	return rows
}
