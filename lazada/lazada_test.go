package lazada_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/lazada"
	"github.com/facolos/etl/lazada/lazadatest"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// A full load equals the simulator's data column by column, with exactly
// ceil(N/100) list pages and ceil(N/50) item calls when the range fits one
// window, whether its pages are read one after another (Concurrency 1)
// or at once.
func TestFullLoad(t *testing.T) {
	for _, conc := range []int{1, 0} {
		t.Run(fmt.Sprint("concurrency", conc), func(t *testing.T) {
			sim := newSim(t, lazadatest.Options{Orders: 345})
			cfg := config(sim, nil, connector.HTTPConfig{})
			cfg.Concurrency = conc
			src := sourceFor(t, cfg)
			sink := openSink(t, "", sqlite.Config{})
			res := run(t, src, sink)
			require.NoError(t, res.Err)
			require.Zero(t, res.Rejected)
			requireSame(t, expected(sim.SellerID(), sim.Orders()), actual(t, sink))
			require.Equal(t, 7, sim.Calls(lazadatest.PathOrderItems), "ceil(345/50) item calls")
			require.Equal(t, 4, sim.Calls(lazadatest.PathOrders), "ceil(345/100) pages")
			require.EqualValues(t, 1, src.Stats()["windows"])
		})
	}
}

// advance moves the simulator's clock by 48 hours and returns the ids of
// the orders changed or added; some orders lost an item line upstream.
func advance(t *testing.T, sim *lazadatest.Server) map[int64]bool {
	t.Helper()
	had := map[int64]int{}
	for _, o := range sim.Orders() {
		had[o.ID] = len(o.Items)
	}
	changed := map[int64]bool{}
	for _, id := range sim.Advance(48 * time.Hour) {
		changed[id] = true
	}
	vanished := 0
	for _, o := range sim.Orders() {
		if n, ok := had[o.ID]; ok && len(o.Items) < n {
			vanished++
		}
	}
	require.Positive(t, vanished, "items vanished upstream")
	return changed
}

// etlUpdated returns etl_updated_at per row key of a table.
func etlUpdated(t *testing.T, s *sqlite.Sink, tb *connector.Table) map[string]time.Time {
	t.Helper()
	rows, err := s.ReadTable(context.Background(), tb)
	require.NoError(t, err)
	ui := tb.ColumnIndex("etl_updated_at")
	out := map[string]time.Time{}
	for _, r := range rows {
		out[fmt.Sprint(r[0], "/", r[1])] = r[ui].(time.Time)
	}
	return out
}

// A second run is incremental (one updated_at window, no change); after
// the simulator's clock moves, the changed orders are updated, their
// vanished items deleted, new orders added, and every other row is left
// untouched.
func TestIncrementalAfterAdvance(t *testing.T) {
	sim := newSim(t, lazadatest.Options{Orders: 400})
	var clock atomic.Int64
	clock.Store(simNow.Unix())
	sink := openSink(t, "", sqlite.Config{Now: func() time.Time { return time.Unix(clock.Load(), 0) }})
	src := sourceFor(t, config(sim, nil, connector.HTTPConfig{}))
	res := run(t, src, sink)
	require.NoError(t, res.Err)
	before := sim.Calls(lazadatest.PathOrders)
	firstOrders, firstItems := etlUpdated(t, sink, lazada.OrdersTableDef()), etlUpdated(t, sink, lazada.ItemsTableDef())

	clock.Add(60)
	res = run(t, src, sink)
	require.NoError(t, res.Err)
	lists := sim.Lists()
	require.Equal(t, before+1, len(lists), "one window, one call")
	require.Equal(t, "updated_at", lists[len(lists)-1].Field)
	require.Equal(t, firstOrders, etlUpdated(t, sink, lazada.OrdersTableDef()), "nothing changed")
	require.Equal(t, firstItems, etlUpdated(t, sink, lazada.ItemsTableDef()), "nothing changed")

	clock.Add(3600)
	changed := advance(t, sim)
	res = run(t, src, sink)
	require.NoError(t, res.Err)
	orders := sim.Orders()
	requireSame(t, expected(sim.SellerID(), orders), actual(t, sink))
	second := time.Unix(clock.Load(), 0).UTC()
	for k, at := range etlUpdated(t, sink, lazada.OrdersTableDef()) {
		var seller string
		var id int64
		_, err := fmt.Sscanf(strings.Replace(k, "/", " ", 1), "%s %d", &seller, &id)
		require.NoError(t, err)
		if changed[id] {
			require.True(t, at.Equal(second), "changed order %d updated", id)
		} else {
			require.False(t, at.Equal(second), "unchanged order %d untouched", id)
		}
	}
	require.Greater(t, len(changed), 100, "the change spans more than a page")
}
