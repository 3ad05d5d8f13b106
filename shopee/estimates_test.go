package shopee_test

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/stretchr/testify/require"
)

// estimateTruth adds to truth["income"] the estimate rows the estimates
// stream stores: every paid order not yet released whose status is
// estimable, as the simulator's current estimate, not released, with no
// version.
func estimateTruth(sim *shopeetest.Server, truth map[string][]string) []string {
	status := map[string]string{}
	for _, o := range sim.Orders() {
		status[o.OrderSN] = o.OrderStatus
	}
	shop := strconv.FormatInt(sim.ShopID(), 10)
	rows := append([]string(nil), truth["income"]...)
	var estimates []string
	for _, e := range sim.Escrows() {
		if e.Released || !estimableStatus[status[e.OrderSN]] {
			continue
		}
		in := e.Detail["order_income"].(map[string]any)
		row := []string{shop, e.OrderSN, "false", "NULL"}
		for _, f := range shopeetest.IncomeMoneyFields {
			row = append(row, num(in[f]))
		}
		estimates = append(estimates, e.OrderSN)
		rows = append(rows, strings.Join(row, "|"))
		items, _ := in["items"].([]any)
		for i, it := range items {
			it := it.(map[string]any)
			truth["items"] = append(truth["items"], strings.Join([]string{shop, e.OrderSN, strconv.Itoa(i), num(it["line_item_id"]),
				num(it["item_id"]), num(it["discounted_price"]), num(it["quantity_purchased"])}, "|"))
		}
	}
	truth["income"] = sortedCopy(rows)
	truth["items"] = sortedCopy(truth["items"])
	return estimates
}

// With FinanceEstimates, the paid orders not yet released are stored as
// estimates (not released, no version) equal to the simulator's current
// figures, and shown in order_net_payout as estimates; after the clock
// moves, the orders released since carry their released figures (the
// estimate never stays over them) and the open ones their new estimates.
// Calls: one order list page per 100 orders updated in a window and one
// detail call per 50 estimable orders of a page.
func TestFinanceEstimates(t *testing.T) {
	for name, open := range sinks(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			sim := newSim(t, shopeetest.Options{Orders: 300, Seed: 3})
			w := open(t)
			src := sourceFor(t, sim, nil, connector.HTTPConfig{}, withFinance, func(c *shopee.Config) {
				c.StartDate = sim.Now().Add(-150 * 24 * time.Hour)
				c.FinanceEstimates = true
			})
			res := runner(connector.Full).Run(ctx, financePipeline(src, w))[0]
			require.NoError(t, res.Err)
			require.Zero(t, res.Rejected)
			truth := financeTruth(sim)
			estimates := estimateTruth(sim, truth)
			require.NotEmpty(t, estimates, "the simulator has open paid orders")
			require.Equal(t, truth, financeActual(t, w))
			checkNetPayout(t, w, sim, true)

			sim.Advance(12 * 24 * time.Hour)
			res = runner(connector.Incremental).Run(ctx, financePipeline(src, w))[0]
			require.NoError(t, res.Err)
			truth = financeTruth(sim)
			released := map[string]bool{}
			for _, r := range truth["releases"] {
				released[strings.Split(r, "|")[1]] = true
			}
			nowReleased := 0
			for _, sn := range estimates {
				if released[sn] {
					nowReleased++
				}
			}
			require.Positive(t, nowReleased, "orders estimated before the advance were released in it")
			estimateTruth(sim, truth)
			require.Equal(t, truth, financeActual(t, w))
			checkNetPayout(t, w, sim, true)
		})
	}
}

func sortedCopy(xs []string) []string {
	out := append([]string(nil), xs...)
	sort.Strings(out)
	return out
}
