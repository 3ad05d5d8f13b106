package lazada_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/simfault"
	"github.com/facolos/etl/internal/testenv"
	"github.com/facolos/etl/lazada"
	"github.com/facolos/etl/lazada/lazadatest"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// More orders created in one day than the offset cap lets a window hold
// load completely, and no read asks for an offset beyond the cap: with
// countTotal the window is split before it is read on; without it, the
// window goes on from the last create time read. The simulator refuses an
// offset beyond its cap (code 14), so a read past it fails the load.
// The default run lowers the cap to force the splits with small data.
func TestMoreOrdersInADayThanTheOffsetCap(t *testing.T) {
	n := testenv.Pick(600, 5000)
	capOffset := testenv.Pick(200, lazadatest.DefaultOffsetCap)
	for _, count := range []lazadatest.Count{lazadatest.CountHonest, lazadatest.CountAbsent} {
		t.Run(fmt.Sprint("count", count), func(t *testing.T) {
			sim := newSim(t, lazadatest.Options{Orders: n, Days: 1, OffsetCap: capOffset, Count: count})
			cfg := config(sim, nil, connector.HTTPConfig{})
			cfg.OffsetCap = capOffset
			src := sourceFor(t, cfg)
			sink := openSink(t, "", sqlite.Config{})
			res := run(t, src, sink)
			require.NoError(t, res.Err)
			requireSame(t, expected(sim.SellerID(), sim.Orders()), actual(t, sink))
			require.Zero(t, sim.Rejections()["14"])
			for _, l := range sim.Lists() {
				require.LessOrEqual(t, l.Offset, capOffset)
			}
			if count == lazadatest.CountHonest {
				require.Positive(t, src.Stats()["window_splits"])
			}
		})
	}
}

// A countTotal that says more orders than the window returns is a
// shortfall: the load fails and its last checkpoint is not final.
func TestLyingCountTotalFails(t *testing.T) {
	for _, orders := range []int{150, 30} {
		sim := newSim(t, lazadatest.Options{Orders: orders, Count: lazadatest.CountLying})
		src := sourceFor(t, config(sim, nil, connector.HTTPConfig{}))
		sink := openSink(t, "", sqlite.Config{})
		res := run(t, src, sink)
		require.ErrorIs(t, res.Err, lazada.ErrBadResponse)
		require.ErrorContains(t, res.Err, "countTotal said")
		cp, err := sink.LoadCheckpoint(context.Background(), "lazada/seller", "orders")
		require.NoError(t, err)
		if cp != nil {
			var c lazada.Checkpoint
			require.NoError(t, json.Unmarshal(cp, &c))
			require.Equal(t, "full", c.Phase, "never marked done")
		}
	}
}

// The documentation's all-strings form loads the same contents as the
// real wire, ids above 2^53 included.
func TestDocFormAndBigIDs(t *testing.T) {
	for _, opts := range []lazadatest.Options{{Orders: 120, DocForm: true}, {Orders: 120, BigIDs: true}, {Orders: 120, BigIDs: true, DocForm: true}} {
		sim := newSim(t, opts)
		sink := openSink(t, "", sqlite.Config{})
		res := run(t, sourceFor(t, config(sim, nil, connector.HTTPConfig{})), sink)
		require.NoError(t, res.Err)
		require.Zero(t, res.Rejected)
		orders := sim.Orders()
		if opts.BigIDs {
			require.Greater(t, orders[len(orders)-1].ID, int64(1)<<53)
		}
		requireSame(t, expected(sim.SellerID(), orders), actual(t, sink))
	}
}

// Orders updated while the client pages (the simulator moves the first
// order of every answer to the current time) never make an incremental
// read skip another order: every order the simulator did not move is
// stored in its latest state, over many seeds, and the next run catches
// the moved ones.
func TestOrdersMovingMidRead(t *testing.T) {
	for seed := int64(1); seed <= int64(testenv.Pick(3, 20)); seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			sim := newSim(t, lazadatest.Options{Orders: 200, Seed: seed})
			src := sourceFor(t, config(sim, nil, connector.HTTPConfig{}))
			sink := openSink(t, "", sqlite.Config{})
			require.NoError(t, run(t, src, sink).Err)
			sim.Advance(72 * time.Hour)
			sim.SetMoveMidRead(true)
			require.NoError(t, run(t, src, sink).Err)
			moved := sim.Moved()
			require.NotEmpty(t, moved)
			var stable []lazadatest.Order
			for _, o := range sim.Orders() {
				if !moved[o.ID] {
					stable = append(stable, o)
				}
			}
			want, got := expected(sim.SellerID(), stable), actual(t, sink)
			for tb, rows := range got {
				for k := range rows {
					if _, ok := want[tb][k]; !ok {
						delete(rows, k) // a moved order's rows
					}
				}
			}
			requireSame(t, want, got)
			sim.SetMoveMidRead(false)
			require.NoError(t, run(t, src, sink).Err)
			requireSame(t, expected(sim.SellerID(), sim.Orders()), actual(t, sink))
		})
	}
}

// An order an items answer leaves out is asked for again; an answer that
// keeps leaving it out fails the load loudly, naming the order, and
// nothing of its page is stored.
func TestOrderLeftOutOfItems(t *testing.T) {
	sim := newSim(t, lazadatest.Options{Orders: 130, OmitItems: 2})
	src := sourceFor(t, config(sim, nil, connector.HTTPConfig{}))
	sink := openSink(t, "", sqlite.Config{})
	res := run(t, src, sink)
	require.NoError(t, res.Err)
	require.Positive(t, src.Stats()["item_retries"])
	requireSame(t, expected(sim.SellerID(), sim.Orders()), actual(t, sink))

	sim = newSim(t, lazadatest.Options{Orders: 130, OmitItems: -1})
	sink = openSink(t, "", sqlite.Config{})
	res = run(t, sourceFor(t, config(sim, nil, connector.HTTPConfig{Attempts: 1})), sink)
	require.ErrorIs(t, res.Err, lazada.ErrBadResponse)
	require.ErrorContains(t, res.Err, "left out of 3 answers")
	require.Empty(t, actual(t, sink)[lazada.OrdersTable], "no order stored without its items")
}

// With 10% of requests faulted (dropped connections, proxy errors, 500,
// 429, truncated bodies, hangs past the timeout) a full load and an
// incremental run after the simulator's clock moves leave the same
// contents as without faults (the fault seed is one whose sequence hits
// this load's calls with drops, hangs and truncated bodies). The attempt
// timeout is half the hang: long enough for an answer of a loaded machine
// under the race detector, with every call of the load in flight.
func TestFaultsGiveIdenticalContents(t *testing.T) {
	sim := newSim(t, lazadatest.Options{Orders: 400, Faults: simfault.Options{Rate: 0.1, HangFor: 2 * time.Second, Seed: 4}})
	src := sourceFor(t, config(sim, nil, connector.HTTPConfig{Attempts: 8, Timeout: time.Second}))
	sink := openSink(t, "", sqlite.Config{})
	require.NoError(t, run(t, src, sink).Err)
	sim.Advance(24 * time.Hour)
	require.NoError(t, run(t, src, sink).Err)
	require.GreaterOrEqual(t, len(sim.Faults()), 2, "several kinds of faults were injected")
	requireSame(t, expected(sim.SellerID(), sim.Orders()), actual(t, sink))
}
