package sinktest

import (
	"testing"

	"github.com/facolos/etl/connector"
)

// orderLines is a table that is its own parent: one row per order line,
// keyed (order_id, line_id), whose line set is replaced per order_id (the
// shape of staging.tiktok_shop_order_detail).
func orderLines() *connector.Table {
	return &connector.Table{Schema: "staging", Name: "st_order_lines", PrimaryKey: []string{"order_id", "line_id"},
		Parent: "staging.st_order_lines", ParentKey: []string{"order_id"}, Columns: []connector.Column{
			{Name: "order_id", Type: connector.String, Length: 50},
			{Name: "line_id", Type: connector.String, Length: 50},
			{Name: "status", Type: connector.String, Length: 50, Nullable: true},
		}}
}

// testSelfParent: a table that names itself as parent replaces the line set
// of every order_id in the batch; orders not in the batch keep their lines.
func testSelfParent(t *testing.T, newSink NewSink) {
	s := newSink(t, Config{})
	tb := orderLines()
	prepare(t, s, tb)
	r := func(o, l, st string) []any { return []any{o, l, st} }
	write(t, s, batch("r1", connector.TableRows{Table: tb, Rows: [][]any{
		r("A", "1", "x"), r("A", "2", "x"), r("A", "3", "x"), r("B", "", "unpaid"), r("C", "1", "c"),
	}}))
	// A loses line 2 and changes line 3; B's placeholder row (no lines yet)
	// gives way to its first line; C is not in the batch.
	write(t, s, batch("r2", connector.TableRows{Table: tb, Rows: [][]any{
		r("A", "1", "x"), r("A", "3", "y"), r("B", "9", "paid"),
	}}))
	equal(t, [][]any{{"A", "1", "x"}, {"A", "3", "y"}, {"B", "9", "paid"}, {"C", "1", "c"}}, read(t, s, tb), "line sets replaced per order")
}
