package misa_test

import (
	"context"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/misa"
	"github.com/facolos/etl/misa/misatest"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

func TestFullLoadEqualsSimulator(t *testing.T) {
	sim := newSim(t, misatest.Options{Customers: 430, SaleOrders: 380, Contacts: 150, Products: 120})
	sink := openSink(t, sqlite.Config{})
	src := sourceFor(t, sim, nil, connector.HTTPConfig{})
	res := run(t, runner(connector.Full), pipeline(src, sink))
	requireSame(t, expected(sim), actual(t, sink))
	// Calls: ceil(n/100) pages per entity (n not a multiple of 100, so the
	// last page is short and ends the pass), one login.
	require.Equal(t, int64(5), res.APICalls[misatest.BasePath+misa.PathCustomers])
	require.Equal(t, int64(4), res.APICalls[misatest.BasePath+misa.PathSaleOrders])
	require.Equal(t, int64(2), res.APICalls[misatest.BasePath+misa.PathContacts])
	require.Equal(t, int64(2), res.APICalls[misatest.BasePath+misa.PathProducts])
	require.Equal(t, 1, sim.Logins())
	require.Zero(t, res.Rejected)
	// Fields the API sends that no column stores are reported.
	require.Subset(t, res.Stats["unmapped_fields"], []string{"customers.list_product_name", "sale_orders.contact_name", "products.is_no_recorded_sales"})
	// An order without items is stored with item_id 0 and NULL item columns.
	var n int
	require.NoError(t, sink.DB().QueryRow(`SELECT COUNT(*) FROM "misa_sale_orders_flattened" WHERE item_id = 0 AND item_product_code IS NULL AND total_items_in_order = 0`).Scan(&n))
	require.Positive(t, n)
	_ = context.Background()
}
