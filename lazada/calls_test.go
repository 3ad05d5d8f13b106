package lazada_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/lazada/lazadatest"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// A full load makes exactly the minimum calls: ceil(N/100) list pages and
// ceil(N/50) item calls, whatever the shop's shape. The offset cap is
// lowered to 200 so that small shops need many segments: an even shop,
// an uneven one (all its orders in the last 3 of 200 days), one whose
// orders come in bursts of 130 in one second (boundary seconds across
// pages and segments, and a last page at the cap holding only one
// second), and one of exactly 400 orders (no empty page read to find
// the end). Read page by page (Concurrency 1) and pipelined (4), every
// list request stays within the cap and the tables equal the simulator's.
func TestFullLoadMakesTheMinimumCalls(t *testing.T) {
	const capOffset = 200
	shops := []struct {
		name string
		opts lazadatest.Options
	}{
		{"even", lazadatest.Options{Orders: 450, Days: 120}},
		{"uneven", lazadatest.Options{Orders: 450, Days: 3}},
		{"bursts", lazadatest.Options{Orders: 450, Days: 1, Burst: 130}},
		{"round", lazadatest.Options{Orders: 400, Days: 30}},
	}
	for _, shop := range shops {
		for _, conc := range []int{1, 4} {
			t.Run(fmt.Sprint(shop.name, "/concurrency", conc), func(t *testing.T) {
				t.Parallel()
				opts := shop.opts
				opts.OffsetCap = capOffset
				sim := newSim(t, opts)
				cfg := config(sim, nil, connector.HTTPConfig{})
				cfg.OffsetCap, cfg.Concurrency = capOffset, conc
				src := sourceFor(t, cfg)
				sink := openSink(t, "", sqlite.Config{})
				res := run(t, src, sink)
				require.NoError(t, res.Err)
				requireSame(t, expected(sim.SellerID(), sim.Orders()), actual(t, sink))
				n := opts.Orders
				require.Equal(t, (n+99)/100, sim.Calls(lazadatest.PathOrders), "list pages")
				require.Equal(t, (n+49)/50, sim.Calls(lazadatest.PathOrderItems), "item calls")
				require.Positive(t, src.Stats()["window_splits"], "segments continued at the cap")
				require.Zero(t, src.Stats()["window_rereads"])
				for _, l := range sim.Lists() {
					require.LessOrEqual(t, l.Offset, capOffset)
				}
			})
		}
	}
}

// When the orders of one create second come in another order in the read
// that goes on from that second (ties ordered by the request), an order of
// that second already read shows up again: the read goes on from the
// second at offset 0 instead of trusting the offset, and no order is lost.
// The calls stay within the minimum plus a page per segment.
func TestUnstableTiesAtASegmentBoundary(t *testing.T) {
	const capOffset = 200
	for _, conc := range []int{1, 4} {
		t.Run(fmt.Sprint("concurrency", conc), func(t *testing.T) {
			sim := newSim(t, lazadatest.Options{Orders: 450, Days: 1, Burst: 130, UnstableTies: true, OffsetCap: capOffset})
			cfg := config(sim, nil, connector.HTTPConfig{})
			cfg.OffsetCap, cfg.Concurrency = capOffset, conc
			src := sourceFor(t, cfg)
			sink := openSink(t, "", sqlite.Config{})
			res := run(t, src, sink)
			require.NoError(t, res.Err)
			requireSame(t, expected(sim.SellerID(), sim.Orders()), actual(t, sink))
			rereads := src.Stats()["window_rereads"].(int64)
			require.Positive(t, rereads, "a boundary second read again")
			segments := src.Stats()["windows"].(int64)
			require.LessOrEqual(t, sim.Calls(lazadatest.PathOrders), (450+99)/100+int(segments)*(capOffset/100+1), "list pages")
		})
	}
}

// A segment that goes on from a boundary second and whose first answer
// counts otherwise than the segment before foretold (an order appeared)
// is read again from that second at offset 0: nothing is lost to the
// shift, page by page or pipelined.
func TestContinuedSegmentCountChanged(t *testing.T) {
	const capOffset = 200
	for _, conc := range []int{1, 4} {
		t.Run(fmt.Sprint("concurrency", conc), func(t *testing.T) {
			sim := newSim(t, lazadatest.Options{Orders: 450, Days: 10, OffsetCap: capOffset})
			p := newProxy(t, sim)
			var once sync.Once
			p.hook = func(offset int, answer map[string]any) bool {
				changed := false
				if offset%100 != 0 { // a segment going on past a boundary second
					once.Do(func() {
						data := answer["data"].(map[string]any)
						data["countTotal"] = data["countTotal"].(float64) + 1
						changed = true
					})
				}
				return changed
			}
			cfg := config(sim, nil, connector.HTTPConfig{})
			cfg.BaseURL, cfg.OffsetCap, cfg.Concurrency = p.URL+lazadatest.Rest, capOffset, conc
			src := sourceFor(t, cfg)
			sink := openSink(t, "", sqlite.Config{})
			require.NoError(t, run(t, src, sink).Err)
			requireSame(t, expected(sim.SellerID(), sim.Orders()), actual(t, sink))
			require.EqualValues(t, 1, src.Stats()["window_rereads"])
			require.Greater(t, sim.Calls(lazadatest.PathOrders), (450+99)/100, "pages read again")
		})
	}
}
