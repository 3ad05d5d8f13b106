package mssql

import (
	"testing"

	"github.com/facolos/etl/connector"
)

// A table that is its own parent (one row per order line, line sets
// replaced per order): the child delete matches the parent key against the
// table's own staged rows.
func TestSelfParentChildDelete(t *testing.T) {
	tb := &connector.Table{Schema: "staging", Name: "order_lines", PrimaryKey: []string{"order_id", "item_id"},
		Parent: "staging.order_lines", ParentKey: []string{"order_id"}, Columns: []connector.Column{
			{Name: "order_id", Type: connector.String, Length: 100},
			{Name: "item_id", Type: connector.String, Length: 100},
			{Name: "status", Type: connector.String, Length: 100, Nullable: true},
		}}
	if err := tb.Validate(); err != nil {
		t.Fatal(err)
	}
	n := names{"staging", "order_lines"}
	temp := tempName(tb, n, connector.TimeUTC)
	golden(t, "child_delete_self_parent", childDeleteSQL(tb, tb, n, temp, temp))
}
