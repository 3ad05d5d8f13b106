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

// financeOnly is a Shopee source without its orders stream: the finance
// streams alone, so that get_order_list calls are the estimates stream's.
type financeOnly struct{ *shopee.Source }

// Streams returns the source's streams but the orders stream.
func (f financeOnly) Streams() []connector.Stream {
	var out []connector.Stream
	for _, s := range f.Source.Streams() {
		if s.Name() != "orders" {
			out = append(out, s)
		}
	}
	return out
}

// financeWindows are the windows a finance read of [from, end] walks: at
// most 15 days each, consecutive ones sharing their boundary second.
func financeWindows(from, end int64) [][2]int64 {
	var out [][2]int64
	for {
		to := min(from+int64(shopee.FinanceWindow/time.Second), end)
		out = append(out, [2]int64{from, to})
		if to == end {
			return out
		}
		from = to
	}
}

// pages is how many pages of size a list of n rows takes: at least one
// (an empty list is one answer).
func pages(n, size int) int { return max(1, (n+size-1)/size) }

// minimumFinanceCalls computes, from the simulator's truth, the fewest
// calls per endpoint that read the finance streams over [from, end]: per
// window, its escrow releases, wallet transactions and updated orders in
// pages of 100; escrow details 50 orders a call, per stream: the orders
// released in the range, the orders named by a wallet adjustment in it
// (incremental runs only), and the estimable orders updated in it.
func minimumFinanceCalls(t *testing.T, what string, sim *shopeetest.Server, from, end int64, incremental bool) map[string]int {
	within := func(t, f, to int64) bool { return t >= f && t <= to }
	escrows, wallet, orders := sim.Escrows(), sim.Wallet(), sim.Orders()
	calls := map[string]int{}
	for _, w := range financeWindows(from, end) {
		var nr, nw, no int
		for _, e := range escrows {
			if e.Released && within(e.ReleaseTime, w[0], w[1]) {
				nr++
			}
		}
		for _, x := range wallet {
			if within(x.CreateTime, w[0], w[1]) {
				nw++
			}
		}
		for _, o := range orders {
			if within(o.UpdateTime, w[0], w[1]) {
				no++
			}
		}
		calls[shopee.PathEscrowList] += pages(nr, shopee.FinancePageSize)
		calls[shopee.PathWalletTxnList] += pages(nw, shopee.FinancePageSize)
		calls[shopee.PathOrderList] += pages(no, shopee.PageSize)
	}
	released, adjusted, estimable := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, e := range escrows {
		if e.Released && within(e.ReleaseTime, from, end) {
			released[e.OrderSN] = true
		}
	}
	adjustment := map[string]bool{"ADJUSTMENT_ADD": true, "ADJUSTMENT_MINUS": true, "ADJUSTMENT_CENTER_ADD": true,
		"ADJUSTMENT_CENTER_DEDUCT": true, "ADJUSTMENT_FOR_RR_AFTER_ESCROW_VERIFIED": true, "SELLER_COMPENSATE_ADD": true}
	for _, x := range wallet {
		if incremental && adjustment[x.TransactionType] && x.OrderSN != "" && within(x.CreateTime, from, end) {
			adjusted[x.OrderSN] = true
		}
	}
	for _, o := range orders {
		if estimableStatus[o.OrderStatus] && within(o.UpdateTime, from, end) {
			estimable[o.OrderSN] = true
		}
	}
	batches := func(n int) int { return (n + shopee.EscrowBatch - 1) / shopee.EscrowBatch }
	calls[shopee.PathEscrowDetailBatch] = batches(len(released)) + batches(len(adjusted)) + batches(len(estimable))
	t.Logf("%s: detail calls: escrow %d orders released (%d calls), wallet %d orders adjusted (%d), estimates %d orders estimable (%d)", what,
		len(released), batches(len(released)), len(adjusted), batches(len(adjusted)), len(estimable), batches(len(estimable)))
	return calls
}

// A full load and an incremental run of the finance streams (escrow,
// wallet, estimates) make the fewest calls the contract allows, endpoint
// by endpoint, counted by the simulator: detail batches carry across pages
// and windows, so only the last batch of a stream's read is partial. The
// streams are read one after the other and each reads sequentially, so the
// counts do not depend on timing.
func TestFinanceCallsAtTheMinimum(t *testing.T) {
	ctx := context.Background()
	sim := newSim(t, shopeetest.Options{Orders: 300, Seed: 3})
	w := sinks(t)["sqlite"](t)
	src := sourceFor(t, sim, nil, connector.HTTPConfig{}, withFinance, func(c *shopee.Config) {
		c.StartDate = sim.Now().Add(-150 * 24 * time.Hour)
		c.FinanceEstimates = true
	})
	paths := []string{shopee.PathEscrowList, shopee.PathEscrowDetailBatch, shopee.PathWalletTxnList, shopee.PathOrderList}
	load := func(what string, mode connector.Mode, from, end int64, incremental bool) {
		t.Helper()
		before := map[string]int{}
		for _, p := range paths {
			before[p] = sim.Calls(p)
		}
		r := runner(mode)
		r.StreamParallel = 1
		pl := financePipeline(src, w)
		pl.Source = financeOnly{src}
		res := r.Run(ctx, pl)[0]
		require.NoError(t, res.Err)
		want := minimumFinanceCalls(t, what, sim, from, end, incremental)
		for _, p := range paths {
			got := sim.Calls(p) - before[p]
			t.Logf("%s: %s: %d calls (minimum %d; client counted %d)", what, p, got, want[p], res.APICalls[p])
			require.Equal(t, want[p], got, "%s: %s calls at the minimum", what, p)
		}
		truth := financeTruth(sim)
		estimateTruth(sim, truth)
		require.Equal(t, truth, financeActual(t, w), "%s: the tables hold the simulator's truth", what)
	}
	start, now := sim.Now().Add(-150*24*time.Hour).Unix(), sim.Now().Unix()
	load("full load", connector.Full, start, now, false)
	sim.Advance(12 * 24 * time.Hour)
	load("incremental", connector.Incremental, now-int64(shopee.DefaultFinanceLookback/time.Second), sim.Now().Unix(), true)
}
