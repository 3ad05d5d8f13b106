package shopee_test

import (
	"context"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/stretchr/testify/require"
)

// Every root table of the twelve records the shop: shopee_orders.shop_id is
// the source's configured shop for every order. On a warehouse whose
// shopee_orders was created without the column, Prepare adds it (nullable)
// and the load fills it.
func TestShopIDRecorded(t *testing.T) {
	var roots []string
	for _, tb := range shopee.Tables() {
		if tb.Parent == "" {
			roots = append(roots, tb.Name)
			c := tb.Columns[tb.ColumnIndex("shop_id")]
			require.True(t, c.Nullable, "%s.shop_id is nullable", tb.Name)
			require.Equal(t, connector.Int, c.Type)
		}
	}
	require.Equal(t, []string{"shopee_orders"}, roots)

	for name, open := range sinks(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			w := open(t)
			// The table as it was before it had the column.
			var old []*connector.Table
			for _, tb := range shopee.Tables() {
				c := &connector.Table{Schema: tb.Schema, Name: tb.Name, PrimaryKey: tb.PrimaryKey, Parent: tb.Parent, ParentKey: tb.ParentKey, Indexes: tb.Indexes}
				for _, col := range tb.Columns {
					if col.Name != "shop_id" {
						c.Columns = append(c.Columns, col)
					}
				}
				old = append(old, c)
			}
			require.NoError(t, w.Prepare(ctx, old))

			sim := newSim(t, shopeetest.Options{Orders: 80, Days: 10, ShopID: 987654})
			src := sourceFor(t, sim, nil, connector.HTTPConfig{})
			p := pipeline(src, w)
			p.Transformer = src.Transformer()
			res := runner(connector.Full).Run(ctx, p)[0]
			require.NoError(t, res.Err)
			require.Equal(t, 80, w.count(t, "shopee_orders", ""))
			require.Equal(t, 80, w.count(t, "shopee_orders", "WHERE shop_id = 987654"))
		})
	}
}
