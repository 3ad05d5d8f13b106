package shopee_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/testenv"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/stretchr/testify/require"
)

// warehouse models what a runner stores: the records of every page, with
// the checkpoint committed in the same transaction. On a failed read, pages
// after the last checkpoint are stored too (that is harmless); what matters
// is that the checkpoint never passes an order not stored.
type warehouse struct {
	orders map[string]orderVersion
	cp     connector.Checkpoint
	pages  int
}

type orderVersion struct {
	UpdateTime int64  `json:"update_time"`
	Status     string `json:"order_status"`
}

func newWarehouse() *warehouse { return &warehouse{orders: map[string]orderVersion{}} }

func (w *warehouse) emit(_ context.Context, p connector.Page) error {
	for _, r := range p.Records {
		var v orderVersion
		if err := json.Unmarshal(r.Data, &v); err != nil {
			return err
		}
		w.orders[r.Key] = v
	}
	if p.Checkpoint != nil {
		w.cp = p.Checkpoint
	}
	w.pages++
	return nil
}

func (w *warehouse) read(ctx context.Context, src *shopee.Source) error {
	return src.Streams()[0].Read(ctx, connector.ReadOptions{Checkpoint: w.cp}, w.emit)
}

// requireHolds: every order of the simulator is stored in its current
// version (only orders updated up to upTo when upTo > 0).
func (w *warehouse) requireHolds(t *testing.T, sim *shopeetest.Server, upTo int64) {
	t.Helper()
	n := 0
	for _, o := range sim.Orders() {
		if upTo > 0 && o.UpdateTime > upTo {
			continue
		}
		got, ok := w.orders[o.OrderSN]
		require.True(t, ok, "order %s (created %s) is missing", o.OrderSN, time.Unix(o.CreateTime, 0).UTC())
		require.Equal(t, orderVersion{o.UpdateTime, o.OrderStatus}, got, "order %s is stale", o.OrderSN)
		n++
	}
	require.Positive(t, n)
}

// A detail answer that leaves out requested orders, or answers null, is
// asked again; the load is complete.
func TestDetailGapsAreFilled(t *testing.T) {
	for _, h := range []shopeetest.Hostile{{DetailOmit: 0.3}, {DetailNull: 0.2}} {
		t.Run(fmt.Sprintf("%+v", h), func(t *testing.T) {
			sim := newSim(t, shopeetest.Options{Orders: 700, Days: 60, Hostile: h})
			w := newWarehouse()
			require.NoError(t, w.read(context.Background(), sourceFor(t, sim, nil, connector.HTTPConfig{})))
			w.requireHolds(t, sim, 0)
			require.Positive(t, sim.Hostile()["detail_omit"]+sim.Hostile()["detail_null"], "the simulator was hostile")
		})
	}
}

// When the platform keeps leaving orders out, the stream fails naming them,
// and its checkpoint never passes them: the next run (platform healthy
// again) loads everything.
func TestDetailGapsNeverPassed(t *testing.T) {
	for _, h := range []shopeetest.Hostile{{DetailOmit: 1}, {DetailNull: 1}} {
		t.Run(fmt.Sprintf("%+v", h), func(t *testing.T) {
			ctx := context.Background()
			sim := newSim(t, shopeetest.Options{Orders: 300, Days: 40})
			src := sourceFor(t, sim, nil, connector.HTTPConfig{})
			w := newWarehouse()
			// The first part of the load is healthy, then the platform turns.
			sim.SetHostile(shopeetest.Hostile{})
			require.NoError(t, w.read(ctx, src))
			w.requireHolds(t, sim, 0)
			w2 := newWarehouse()
			sim.SetHostile(h)
			err := w2.read(ctx, src)
			require.ErrorIs(t, err, shopee.ErrBadResponse)
			require.Contains(t, err.Error(), "get_order_detail")
			sim.SetHostile(shopeetest.Hostile{})
			require.NoError(t, w2.read(ctx, src))
			w2.requireHolds(t, sim, 0)
		})
	}
}

// Partial failure mid-load: omissions start at the fifth detail call; the
// checkpoint stops before the first incomplete batch and the next run
// completes the load.
func TestDetailOmissionMidLoadResumes(t *testing.T) {
	ctx := context.Background()
	sim := newSim(t, shopeetest.Options{Orders: 600, Days: 60})
	var n atomic.Int64
	turn := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.URL.Path == shopee.PathOrderDetail && n.Add(1) == 5 {
			sim.SetHostile(shopeetest.Hostile{DetailOmit: 1})
		}
		return http.DefaultTransport.RoundTrip(r)
	})
	// One detail call at a time, so the fifth request is the fifth batch.
	src := sourceFor(t, sim, nil, connector.HTTPConfig{Transport: turn}, func(c *shopee.Config) { c.Concurrency = 1 })
	w := newWarehouse()
	require.ErrorIs(t, w.read(ctx, src), shopee.ErrBadResponse)
	require.NotNil(t, w.cp, "the healthy part was checkpointed")
	require.Less(t, len(w.orders), 600)
	sim.SetHostile(shopeetest.Hostile{})
	require.NoError(t, w.read(ctx, src))
	w.requireHolds(t, sim, 0)
}

// A list answer of response: null is an error, never an empty window.
func TestListNullIsAnError(t *testing.T) {
	sim := newSim(t, shopeetest.Options{Orders: 100, Days: 20, Hostile: shopeetest.Hostile{ListNull: 1}})
	w := newWarehouse()
	err := w.read(context.Background(), sourceFor(t, sim, nil, connector.HTTPConfig{}))
	require.ErrorIs(t, err, shopee.ErrBadResponse)
	require.Contains(t, err.Error(), "response is null")
	require.Empty(t, w.orders)
	require.Nil(t, w.cp, "no checkpoint moved")
}

// A cursor that does not advance fails the stream instead of looping.
func TestStuckCursorFails(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sim := newSim(t, shopeetest.Options{Orders: 600, Days: 10, Hostile: shopeetest.Hostile{StuckCursor: 1}})
	src := sourceFor(t, sim, nil, connector.HTTPConfig{})
	w := newWarehouse()
	err := src.Streams()[0].Read(ctx, connector.ReadOptions{Since: sim.Now().Add(-10 * 24 * time.Hour)}, w.emit)
	require.ErrorIs(t, err, shopee.ErrBadResponse)
	require.Contains(t, err.Error(), "does not advance")
	require.NoError(t, ctx.Err(), "failed, not looped until the deadline")
}

// Orders that change while a client pages (leaving the window, which
// shifts an offset cursor) are never skipped: after the incremental run
// every order updated up to its end is stored in its current version, and
// the next run catches those that moved past it. Many seeds.
func TestMovingOrdersNeverSkipped(t *testing.T) {
	ctx := context.Background()
	seeds := 8
	if !testenv.Long() || raceEnabled {
		seeds = 3
	}
	totalMoved := 0
	for seed := int64(1); seed <= int64(seeds); seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			sim := newSim(t, shopeetest.Options{Orders: 500, Days: 8, Seed: seed})
			src := sourceFor(t, sim, nil, connector.HTTPConfig{})
			w := newWarehouse()
			require.NoError(t, w.read(ctx, src))
			w.requireHolds(t, sim, 0)

			sim.Advance(48 * time.Hour)
			end := sim.Now().Unix()
			sim.SetHostile(shopeetest.Hostile{MoveWhilePaging: 0.05})
			require.NoError(t, w.read(ctx, src))
			w.requireHolds(t, sim, end)
			sim.SetHostile(shopeetest.Hostile{})
			totalMoved += sim.Hostile()["moved"]

			require.NoError(t, w.read(ctx, src))
			w.requireHolds(t, sim, 0)
		})
	}
	require.Positive(t, totalMoved, "orders moved while the client paged")
}

// The full load starts at the first order even after a quiet spell longer
// than a window.
func TestEarliestDateQuietSpells(t *testing.T) {
	ctx := context.Background()
	for _, quiet := range []int{20, 40, 90} {
		for _, days := range []int{200, 400, 700} {
			t.Run(fmt.Sprintf("quiet_%d_days_of_%d", quiet, days), func(t *testing.T) {
				sim := newSim(t, shopeetest.Options{Orders: 150, Days: days, QuietDays: quiet})
				src := sourceFor(t, sim, nil, connector.HTTPConfig{})
				got, err := src.EarliestDate(ctx, sim.Now())
				require.NoError(t, err)
				first := sim.Orders()[0].CreateTime
				require.Equal(t, time.Unix(first, 0).UTC().Format(time.DateOnly), got.Format(time.DateOnly))
				w := newWarehouse()
				require.NoError(t, w.read(ctx, src))
				w.requireHolds(t, sim, 0)
			})
		}
	}
}
