package shopee_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/testenv"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/stretchr/testify/require"
)

// Orders withheld for good among hostile detail answers (omissions that
// fill in on retry, null answers), orders moving while the client pages,
// four detail batches at once, the shop living on between runs: once the
// runs complete, every order is stored as the platform has it, except the
// withheld ones, each of which is quarantined, never dropped.
func TestWithheldAmongNoiseNeverLost(t *testing.T) {
	seeds := []int64{3, 11, 29}
	if !testenv.Long() || raceEnabled {
		seeds = seeds[:1] // the race detector makes each ten times slower
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			ctx := context.Background()
			sim := newSim(t, shopeetest.Options{Orders: 300, Days: 30, Seed: seed,
				Hostile: shopeetest.Hostile{DetailOmit: 0.3, DetailNull: 0.05, MoveWhilePaging: 0.02}})
			sink := openSink(t)
			p := pipeline(sourceFor(t, sim, nil, connector.HTTPConfig{}, func(c *shopee.Config) {
				c.DetailMissingRuns, c.Concurrency = 2, 4
			}), sink)
			orders := sim.Orders()
			withheld := []string{orders[40].OrderSN, orders[41].OrderSN, orders[200].OrderSN}
			sim.WithholdDetail(withheld...)
			ok := 0
			for run := 0; run < 20 && ok < 3; run++ {
				res := runner(connector.Incremental).Run(ctx, p)[0]
				if res.Err == nil {
					ok++
				} else {
					require.ErrorIs(t, res.Err, shopee.ErrBadResponse, "run %d", run)
				}
				sim.Advance(3 * time.Minute)
			}
			require.Equal(t, 3, ok, "the runs complete")
			// A withheld order that changed after its count was dropped fails
			// DetailMissingRuns-1 runs again before it is quarantined again.
			var err error
			for run := 0; run < 3; run++ {
				if err = runner(connector.Incremental).Run(ctx, p)[0].Err; err == nil {
					break
				}
			}
			require.NoError(t, err)
			var rest []shopeetest.Order
			skip := map[string]bool{}
			for _, sn := range withheld {
				skip[sn] = true
			}
			for _, o := range sim.Orders() {
				if !skip[o.OrderSN] {
					rest = append(rest, o)
				}
			}
			requireSame(t, expected(rest), actual(t, sink.DB()))
			quarantined := map[string]bool{}
			for _, r := range rejections(t, sink, p) {
				require.True(t, skip[r.Key], "only withheld orders are quarantined: %s (%s)", r.Key, r.Reason)
				quarantined[r.Key] = true
			}
			for _, sn := range withheld {
				require.True(t, quarantined[sn], "withheld order %s quarantined", sn)
			}
		})
	}
}
