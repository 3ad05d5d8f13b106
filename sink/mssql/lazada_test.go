package mssql

import (
	"strings"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/lazada"
)

// Every statement the sink sends for the Lazada tables: a versioned parent
// keyed by seller and order (staging.lazada_orders) and its child keyed by
// seller and item (staging.lazada_order_items): the tables, their indexes,
// both upserts of the orders with the version guard, the items' upsert and
// child-set delete, and the stale-version set that keeps an older copy of
// an order (and its items) from replacing a newer one. (The Vietnam time
// basis and the preparation around a table are the same for every table:
// TestGoldenStatements.)
func TestLazadaStatements(t *testing.T) {
	orders, items := lazada.OrdersTableDef(), lazada.ItemsTableDef()
	on, in := names{"staging", orders.Name}, names{"staging", items.Name}
	oTemp, iTemp := tempName(orders, on, connector.TimeUTC), tempName(items, in, connector.TimeUTC)
	oSet := staleName(oTemp)
	var indexes []string
	for _, tb := range []*connector.Table{orders, items} {
		for _, ix := range wantedIndexes(tb, names{"staging", tb.Name}) {
			indexes = append(indexes, indexSQL(ix, names{"staging", tb.Name}))
		}
	}
	if len(indexes) != 7 {
		t.Fatalf("%d indexes, want updated_at, created_at and status on both tables and the items' parent key", len(indexes))
	}
	cases := map[string]string{
		"lazada_create_orders":        createTableSQL(orders, on, connector.TimeUTC),
		"lazada_create_items":         createTableSQL(items, in, connector.TimeUTC),
		"lazada_indexes":              strings.Join(indexes, ";\n"),
		"lazada_create_temp_orders":   createTempSQL(orders, oTemp, connector.TimeUTC),
		"lazada_merge_orders":         mergeSQL(orders, on, oTemp),
		"lazada_update_insert_orders": updateInsertSQL(orders, on, oTemp),
		"lazada_merge_items":          mergeSQL(items, in, iTemp),
		"lazada_update_insert_items":  updateInsertSQL(items, in, iTemp),
		"lazada_child_delete_items":   childDeleteSQL(items, orders, in, iTemp, oTemp),
		"lazada_stale_create":         createStaleSQL(orders, orders, oSet, connector.TimeUTC),
		"lazada_stale_insert":         insertStaleSQL(orders, on, oTemp, oSet),
		"lazada_stale_prune_orders":   pruneStaleSQL(oTemp, orders.VersionGroup(), oSet, orders.VersionGroup()),
		"lazada_stale_prune_items":    pruneStaleSQL(iTemp, items.ParentKey, oSet, orders.VersionGroup()),
	}
	for name, got := range cases {
		t.Run(name, func(t *testing.T) { golden(t, name, got) })
	}
}
