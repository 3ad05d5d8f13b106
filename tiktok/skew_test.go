package tiktok_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/facolos/etl/tiktok"
	"github.com/facolos/etl/tiktok/tiktoktest"
	"github.com/stretchr/testify/require"
)

// skewedSim is a shop whose orders are unevenly spread in time: most in
// the last weeks, sale days, and flash-sale seconds holding more orders
// than a page of the given size (so a window can be all one second).
func skewedSim(t *testing.T, orders, pageSize int) *tiktoktest.Server {
	t.Helper()
	sim := newSim(t, tiktoktest.Options{Orders: orders, Spread: tiktoktest.Skewed})
	perSecond := map[int64]int{}
	burst := false
	for _, o := range sim.Orders() {
		perSecond[o.CreateTime]++
		burst = burst || perSecond[o.CreateTime] > pageSize
	}
	require.True(t, burst, "a second holds more than a page of orders")
	return sim
}

// requireWideLeavesAreBursts: a window read to its end in more than
// WindowPages+1 pages could not be split: it holds a second with more than
// a page of orders (a split needs a second boundary on a page).
func requireWideLeavesAreBursts(t *testing.T, sim *tiktoktest.Server, plan planStats, pageSize int) {
	t.Helper()
	for r, pages := range plan.wide {
		perSecond := map[int64]int{}
		most := 0
		for _, o := range sim.Orders() {
			if o.CreateTime >= r[0] && o.CreateTime < r[1] {
				perSecond[o.CreateTime]++
				most = max(most, perSecond[o.CreateTime])
			}
		}
		require.Greater(t, most, pageSize, "window [%d, %d) read in %d pages without a split", r[0], r[1], pages)
	}
}

// A full load of a skewed shop: the plan refines itself where the orders
// are (windows split after the first planned ones), every window read in
// the fewest pages, each order emitted once, the contents equal to the
// simulator's, and the calls within one partial page per window of the
// minimum. Then the same range read by update_time (an incremental run
// whose watermark lies before every order): each order once.
func TestSkewedFullLoad(t *testing.T) {
	t.Parallel()
	const size = 10
	n := small(3000)
	sim := skewedSim(t, n, size)
	cfg := config(sim, nil, connector.HTTPConfig{})
	cfg.PageSize = size
	src, err := tiktok.NewSource(cfg)
	require.NoError(t, err)
	sink := openSink(t, "", sqlite.Config{})
	res := run(t, &connector.Runner{}, src, sink)
	require.NoError(t, res.Err)
	require.Equal(t, int64(n), res.Records, "each order once")
	requireSameContents(t, expected(sim.Orders()), actual(t, sink))
	plan := requireMinimalPlan(t, sim, sim.Searches())
	t.Logf("%d orders: %d calls (minimum %d), %d windows, %d split, %d read to their end, wide %v",
		n, plan.calls, (n+size-1)/size, plan.windows, plan.splits, plan.leaves, plan.wide)
	require.Greater(t, plan.splits, 1, "windows split besides the whole range")
	require.Zero(t, plan.restarts)
	require.Equal(t, int64(plan.windows+1), src.Stats()["search_windows"])
	require.LessOrEqual(t, plan.calls, (n+size-1)/size+plan.leaves+plan.splits)
	requireWideLeavesAreBursts(t, sim, plan, size)

	// By update_time, from before the first order.
	before := len(sim.Searches())
	from := simNow.AddDate(0, 0, -200).Unix()
	raw, err := json.Marshal(tiktok.Checkpoint{Phase: "incremental", Watermark: from})
	require.NoError(t, err)
	seen := map[string]int{}
	var last connector.Checkpoint
	err = src.Streams()[0].Read(context.Background(), connector.ReadOptions{Checkpoint: raw}, func(_ context.Context, p connector.Page) error {
		for _, r := range p.Records {
			seen[r.Key]++
		}
		last = p.Checkpoint
		return nil
	})
	require.NoError(t, err)
	require.Len(t, seen, n)
	for k, c := range seen {
		require.Equal(t, 1, c, "order %s once", k)
	}
	var cp tiktok.Checkpoint
	require.NoError(t, json.Unmarshal(last, &cp))
	require.Equal(t, "incremental", cp.Phase)
	require.Zero(t, cp.End, "the range is done")
	up := requireMinimalPlan(t, sim, sim.Searches()[before:])
	require.Greater(t, up.splits, 1)
	require.Zero(t, up.restarts)
	require.Equal(t, "update_time", sim.Searches()[before].Field)
}

// The skewed shop under 10% of network faults and crashes at random
// commits: every committed checkpoint covers only stored orders, the
// resumed runs end with the simulator's contents, and a fresh load reads
// its (refined) plan in the fewest answered searches.
func TestSkewedFaultsCrashesResume(t *testing.T) {
	t.Parallel()
	n := small(1500)
	size := min(10, n/100-2) // a flash-sale second (1% of the orders) over more than a page
	skewedSim(t, n, size)    // the shape, checked
	plan := faultsCrashesResume(t, tiktoktest.Options{Orders: n, Spread: tiktoktest.Skewed}, size)
	require.Greater(t, plan.splits, 1, "windows split besides the whole range")
}

// Memory stays bounded however far the API runs ahead of the sink: while
// the emitter is held on a page, at most Concurrency × WindowPages pages
// (and one of the window being emitted) are read ahead of the pages it
// finished emitting, in a shop whose windows split.
func TestSkewedReadAheadBounded(t *testing.T) {
	const size, conc = 10, 4
	sim := skewedSim(t, small(3000), size)
	cfg := config(sim, nil, connector.HTTPConfig{})
	cfg.PageSize, cfg.Concurrency = size, conc
	src, err := tiktok.NewSource(cfg)
	require.NoError(t, err)
	var emitted atomic.Int64
	bound := func() int { return int(emitted.Load()) + conc*tiktok.WindowPages + 1 }
	// (Called on the reader's goroutine: an error, not a FailNow.)
	check := func(where string) error {
		if n := len(sim.Searches()); n > bound() {
			return fmt.Errorf("%d searches answered %s, %d pages emitted", n, where, emitted.Load())
		}
		return nil
	}
	hold := map[int64]bool{3: true, 40: true, 41: true, 90: true}
	err = src.Streams()[0].Read(context.Background(), connector.ReadOptions{}, func(_ context.Context, p connector.Page) error {
		k := emitted.Load() + 1
		if hold[k] {
			// The sink is slow on this page: the workers read ahead as far
			// as they may.
			for i := range 20 {
				time.Sleep(10 * time.Millisecond)
				if err := check(fmt.Sprintf("while page %d waits (%d)", k, i)); err != nil {
					return err
				}
			}
		}
		if err := check(""); err != nil {
			return err
		}
		emitted.Add(1)
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, int(emitted.Load()), 90)
}
