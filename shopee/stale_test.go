package shopee_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/stretchr/testify/require"
)

// An older copy of an order in a later answer (the simulator's
// StaleDuplicate: a lagging replica answers get_order_detail with the copy
// from before the order's last change) never replaces the newer row that
// is stored, nor its items: shopee_orders' version column is update_time.
// It needs versioned upserts (connector.Table.Version); without them the
// stale copy overwrites the row ("order ... is stale").
func TestStaleDuplicateNeverOverwrites(t *testing.T) {
	if _, ok := reflect.TypeOf(connector.Table{}).FieldByName("Version"); !ok {
		t.Skip("needs versioned upserts (connector.Table.Version)")
	}
	for name, open := range sinks(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			sim := newSim(t, shopeetest.Options{Orders: 150, Days: 10})
			w := open(t)
			p := pipeline(sourceFor(t, sim, nil, connector.HTTPConfig{}, func(c *shopee.Config) { c.Lookback = 12 * time.Hour }), w)
			require.NoError(t, runner(connector.Incremental).Run(ctx, p)[0].Err)
			changes := sim.Advance(6 * time.Hour)
			require.NotEmpty(t, changes)
			require.NoError(t, runner(connector.Incremental).Run(ctx, p)[0].Err)
			requireCurrent(t, w, sim)

			// The next run lists the changed orders again (12-hour lookback)
			// and gets their copies from before the change.
			sim.SetHostile(shopeetest.Hostile{StaleDuplicate: 1})
			sim.Advance(time.Second)
			res := runner(connector.Incremental).Run(ctx, p)[0]
			require.NoError(t, res.Err)
			require.Positive(t, sim.Hostile()["stale_duplicate"], "stale copies were served")
			requireCurrent(t, w, sim)
		})
	}
}

// requireCurrent: every order of the simulator is stored with its current
// status and number of items.
func requireCurrent(t *testing.T, w warehouseSink, sim *shopeetest.Server) {
	t.Helper()
	got := map[string]string{}
	rows, err := w.db.Query(fmt.Sprintf(`SELECT o.order_sn, o.order_status, (SELECT count(*) FROM %s i WHERE i.order_sn = o.order_sn) FROM %s o`,
		w.table("shopee_order_items"), w.table("shopee_orders")))
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var sn, status string
		var items int
		require.NoError(t, rows.Scan(&sn, &status, &items))
		got[sn] = fmt.Sprintf("%s/%d items", status, items)
	}
	require.NoError(t, rows.Err())
	for _, o := range sim.Orders() {
		require.Equal(t, fmt.Sprintf("%s/%d items", o.OrderStatus, len(o.ItemList)), got[o.OrderSN], "order %s is stale", o.OrderSN)
	}
}
