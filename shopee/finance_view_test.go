package shopee_test

import (
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/stretchr/testify/require"
)

// checkNetPayout compares staging.order_net_payout with the simulator: one
// row per released order, its order time and currency from the order, its
// net payout equal to the escrow identity's terms plus the adjustments
// (computed here from the simulator's components, not read from its
// escrow_amount fields), and the view's fee groups a partition of the
// identity: the goods terms minus the view's fees, plus its shipping, minus
// its seller vouchers, give the net before adjustments.
//
// With estimates, the paid orders not yet released whose status is
// estimable are rows too, with status estimate and no payout time.
func checkNetPayout(t *testing.T, w warehouseSink, sim *shopeetest.Server, estimates bool) {
	t.Helper()
	created := map[string]int64{}
	status := map[string]string{}
	for _, o := range sim.Orders() {
		created[o.OrderSN] = o.CreateTime
		status[o.OrderSN] = o.OrderStatus
	}
	rat := func(v any) *big.Rat { return connector.MustDec(num(v)).Rat() }
	goodsTerms := map[string]int{"original_cost_of_goods_sold": 1, "original_shopee_discount": -1, "seller_return_refund": 1,
		"shopee_discount": 1, "buyer_paid_packaging_fee": 1}
	shop := strconv.FormatInt(sim.ShopID(), 10)
	var want []string
	goods := map[string]*big.Rat{}
	for _, e := range sim.Escrows() {
		if !e.Released && !(estimates && estimableStatus[status[e.OrderSN]]) {
			continue
		}
		in := e.Detail["order_income"].(map[string]any)
		net, g := new(big.Rat), new(big.Rat)
		for _, term := range shopeetest.EscrowIdentity {
			r := rat(in[term.Field])
			r.Mul(r, big.NewRat(int64(term.Sign), 1))
			net.Add(net, r)
			if goodsTerms[term.Field] != 0 {
				g.Add(g, r)
			}
		}
		adj := new(big.Rat)
		adjs, _ := in["order_adjustment"].([]any)
		for _, a := range adjs {
			adj.Add(adj, rat(a.(map[string]any)["amount"]))
		}
		net.Add(net, adj)
		goods[e.OrderSN] = g
		st, at := "settled", strconv.FormatInt(e.ReleaseTime, 10)
		if !e.Released {
			st, at = "estimate", "NULL"
		}
		want = append(want, strings.Join([]string{"shopee", shop, e.OrderSN, strconv.FormatInt(created[e.OrderSN], 10), "VND",
			num(in["buyer_total_amount"]), decOf(adj), decOf(net), st, at}, "|"))
	}
	sort.Strings(want)
	require.NotEmpty(t, want)

	rows, err := w.db.Query(fmt.Sprintf(`SELECT platform, shop_id, order_id, order_time, currency, buyer_paid, adjustments, net_payout,
		payout_status, payout_time, commission_fee, service_fee, transaction_fee, other_fees, shipping_net, voucher_seller FROM %s`,
		w.table("order_net_payout")))
	require.NoError(t, err)
	defer rows.Close()
	var got []string
	for rows.Next() {
		v := make([]any, 16)
		p := make([]any, len(v))
		for i := range v {
			p[i] = &v[i]
		}
		require.NoError(t, rows.Scan(p...))
		s := func(x any) string {
			if b, ok := x.([]byte); ok {
				return string(b)
			}
			return fmt.Sprint(x)
		}
		got = append(got, strings.Join([]string{s(v[0]), s(v[1]), s(v[2]), timeText(t, v[3]), s(v[4]), decText(t, v[5]),
			decText(t, v[6]), decText(t, v[7]), s(v[8]), timeText(t, v[9])}, "|"))
		// The groups partition the identity.
		d := func(x any) *big.Rat { return connector.MustDec(decText(t, x)).Rat() }
		sum := new(big.Rat).Set(goods[s(v[2])])
		for _, f := range v[10:14] {
			sum.Sub(sum, d(f))
		}
		sum.Add(sum, d(v[14]))
		sum.Sub(sum, d(v[15]))
		sum.Add(sum, d(v[6]))
		require.Zero(t, sum.Cmp(d(v[7])), "order %s: goods − fees + shipping − seller vouchers + adjustments = %s, net_payout %s",
			v[2], sum.FloatString(4), decText(t, v[7]))
	}
	require.NoError(t, rows.Err())
	sort.Strings(got)
	require.Equal(t, want, got)
}

// estimableStatus are the statuses of a paid order whose escrow the
// estimates stream reads (the contract: an escrow exists from payment).
var estimableStatus = map[string]bool{"READY_TO_SHIP": true, "PROCESSED": true, "RETRY_SHIP": true, "SHIPPED": true,
	"TO_CONFIRM_RECEIVE": true, "COMPLETED": true, "TO_RETURN": true}

func decOf(r *big.Rat) string { return connector.MustDec(r.FloatString(4)).String() }
