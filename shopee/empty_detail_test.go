package shopee_test

import (
	"context"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/stretchr/testify/require"
)

// get_order_detail answering valid but empty order lists for a while (the
// platform failing, like response: null) must not quarantine the orders
// asked for: MaxDetailQuarantine exists for exactly this ("a platform
// answering empty lists for a while fails runs instead of quarantining
// whole batches"), but it only guards batches of more than 5 orders, and
// the batches of incremental runs are small. A quarantined order is passed
// by the checkpoint: once the platform answers again, the warehouse never
// gets it (unless it changes again).
func TestEmptyDetailAnswersQuarantineNothing(t *testing.T) {
	ctx := context.Background()
	sim := newSim(t, shopeetest.Options{Orders: 200, Days: 20})
	sink := openSink(t)
	p := pipeline(sourceFor(t, sim, nil, connector.HTTPConfig{}, func(c *shopee.Config) { c.Lookback = time.Second }), sink)
	res := runner(connector.Incremental).Run(ctx, p)[0]
	require.NoError(t, res.Err)
	requireSame(t, expected(sim.Orders()), actual(t, sink.DB()))

	// Three orders change; then every detail answer comes back empty.
	sim.Advance(10 * time.Second)
	var changed, all []string
	for _, o := range sim.Orders() {
		all = append(all, o.OrderSN)
		if len(changed) < 3 && (o.OrderStatus == "COMPLETED" || o.OrderStatus == "CANCELLED") {
			changed = append(changed, o.OrderSN)
		}
	}
	for _, sn := range changed {
		require.True(t, sim.Touch(sn))
	}
	sim.WithholdDetail(all...)
	for run := 1; run <= shopee.DefaultDetailMissingRuns; run++ {
		sim.Advance(10 * time.Second) // time passes between runs (more than the lookback)
		res = runner(connector.Incremental).Run(ctx, p)[0]
		require.Zero(t, res.Rejected, "run %d: orders quarantined while the platform answers nothing: %v", run, res.Err)
		require.Error(t, res.Err, "run %d", run)
	}

	// The platform answers again: the changed orders are stored.
	sim.WithholdDetail()
	sim.Advance(10 * time.Second)
	res = runner(connector.Incremental).Run(ctx, p)[0]
	require.NoError(t, res.Err)
	require.Empty(t, rejections(t, sink, p))
	requireSame(t, expected(sim.Orders()), actual(t, sink.DB()))
}
