package shopee_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
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

// decText renders a value read back from a sink as a canonical decimal.
func decText(t *testing.T, v any) string {
	t.Helper()
	switch x := v.(type) {
	case nil:
		return "NULL"
	case int64:
		return connector.DecFromInt(x).String()
	case float64:
		return connector.MustDec(strconv.FormatFloat(x, 'f', -1, 64)).String()
	case []byte:
		return connector.MustDec(string(x)).String()
	case string:
		return connector.MustDec(x).String()
	}
	t.Fatalf("unexpected decimal value %T %v", v, v)
	return ""
}

// timeText renders a timestamp read back from a sink as unix seconds.
func timeText(t *testing.T, v any) string {
	t.Helper()
	switch x := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return strconv.FormatInt(x.Unix(), 10)
	case string:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02T15:04:05.000000Z"} {
			if tm, err := time.Parse(layout, x); err == nil {
				return strconv.FormatInt(tm.Unix(), 10)
			}
		}
	}
	t.Fatalf("unexpected timestamp value %T %v", v, v)
	return ""
}

func num(v any) string {
	switch x := v.(type) {
	case float64:
		return connector.MustDec(strconv.FormatFloat(x, 'f', -1, 64)).String()
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return fmt.Sprint(v)
}

// financeTruth is what the finance tables must hold for the simulator's
// state: per table, a sorted list of rendered rows.
func financeTruth(sim *shopeetest.Server) map[string][]string {
	out := map[string][]string{}
	shop := strconv.FormatInt(sim.ShopID(), 10)
	for _, e := range sim.Escrows() {
		if !e.Released {
			continue
		}
		in := e.Detail["order_income"].(map[string]any)
		version := e.ReleaseTime
		adjs, _ := in["order_adjustment"].([]any)
		for i, a := range adjs {
			a := a.(map[string]any)
			d := int64(a["date"].(float64))
			version = max(version, d)
			out["adjustments"] = append(out["adjustments"], strings.Join([]string{shop, e.OrderSN, strconv.Itoa(i), num(a["amount"]),
				strconv.FormatInt(d, 10), a["adjustment_reason"].(string)}, "|"))
		}
		row := []string{shop, e.OrderSN, "true", strconv.FormatInt(version, 10)}
		for _, f := range shopeetest.IncomeMoneyFields {
			row = append(row, num(in[f]))
		}
		out["income"] = append(out["income"], strings.Join(row, "|"))
		out["releases"] = append(out["releases"], strings.Join([]string{shop, e.OrderSN, num(e.PayoutAmount), strconv.FormatInt(e.ReleaseTime, 10)}, "|"))
		items, _ := in["items"].([]any)
		for i, it := range items {
			it := it.(map[string]any)
			out["items"] = append(out["items"], strings.Join([]string{shop, e.OrderSN, strconv.Itoa(i), num(it["line_item_id"]),
				num(it["item_id"]), num(it["discounted_price"]), num(it["quantity_purchased"])}, "|"))
		}
	}
	for _, w := range sim.Wallet() {
		out["wallet"] = append(out["wallet"], strings.Join([]string{shop, "id:" + strconv.FormatInt(w.TransactionID, 10),
			w.TransactionType, num(w.Amount), num(w.CurrentBalance), strconv.FormatInt(w.CreateTime, 10), w.OrderSN,
			strconv.FormatInt(w.WithdrawalID, 10)}, "|"))
	}
	for k := range out {
		sort.Strings(out[k])
	}
	return out
}

// financeActual reads the finance tables back in financeTruth's form.
func financeActual(t *testing.T, w warehouseSink) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	read := func(name, table, cols string, render func(vals []any) []string) {
		rows, err := w.db.Query(fmt.Sprintf("SELECT %s FROM %s", cols, w.table(table)))
		require.NoError(t, err)
		defer rows.Close()
		n := len(strings.Split(cols, ","))
		for rows.Next() {
			vals := make([]any, n)
			ptrs := make([]any, n)
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			require.NoError(t, rows.Scan(ptrs...))
			out[name] = append(out[name], strings.Join(render(vals), "|"))
		}
		require.NoError(t, rows.Err())
		sort.Strings(out[name])
	}
	str := func(v any) string {
		switch x := v.(type) {
		case []byte:
			return string(x)
		case nil:
			return "NULL"
		case bool:
			return strconv.FormatBool(x)
		}
		return fmt.Sprint(v)
	}
	boolText := func(v any) string {
		switch x := v.(type) {
		case bool:
			return strconv.FormatBool(x)
		case int64:
			return strconv.FormatBool(x != 0)
		}
		return str(v)
	}
	cols := "shop_id, order_sn, is_released, income_version_time"
	for _, f := range shopeetest.IncomeMoneyFields {
		cols += ", " + f
	}
	read("income", "shopee_order_income", cols, func(v []any) []string {
		r := []string{str(v[0]), str(v[1]), boolText(v[2]), timeText(t, v[3])}
		for _, x := range v[4:] {
			r = append(r, decText(t, x))
		}
		return r
	})
	read("adjustments", "shopee_order_adjustments", "shop_id, order_sn, adjustment_index, amount, date, adjustment_reason", func(v []any) []string {
		return []string{str(v[0]), str(v[1]), str(v[2]), decText(t, v[3]), timeText(t, v[4]), str(v[5])}
	})
	read("releases", "shopee_escrow_releases", "shop_id, order_sn, payout_amount, escrow_release_time", func(v []any) []string {
		return []string{str(v[0]), str(v[1]), decText(t, v[2]), timeText(t, v[3])}
	})
	read("items", "shopee_order_income_items", "shop_id, order_sn, item_index, line_item_id, item_id, discounted_price, quantity_purchased",
		func(v []any) []string {
			return []string{str(v[0]), str(v[1]), str(v[2]), str(v[3]), str(v[4]), decText(t, v[5]), str(v[6])}
		})
	read("wallet", "shopee_wallet_transactions", "shop_id, transaction_key, transaction_type, amount, current_balance, create_time, order_sn, withdrawal_id",
		func(v []any) []string {
			return []string{str(v[0]), str(v[1]), str(v[2]), decText(t, v[3]), decText(t, v[4]), timeText(t, v[5]), str(v[6]), str(v[7])}
		})
	return out
}

// checkStoredIdentity asserts the contract's escrow_amount identity on
// every stored income row, in exact decimals.
func checkStoredIdentity(t *testing.T, w warehouseSink) {
	t.Helper()
	cols := "order_sn, escrow_amount"
	for _, term := range shopeetest.EscrowIdentity {
		cols += ", " + term.Field
	}
	rows, err := w.db.Query(fmt.Sprintf("SELECT %s FROM %s", cols, w.table("shopee_order_income")))
	require.NoError(t, err)
	defer rows.Close()
	n := 0
	for rows.Next() {
		vals := make([]any, 2+len(shopeetest.EscrowIdentity))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		sum := new(big.Rat)
		for i, term := range shopeetest.EscrowIdentity {
			r := connector.MustDec(decText(t, vals[2+i])).Rat()
			sum.Add(sum, r.Mul(r, big.NewRat(int64(term.Sign), 1)))
		}
		require.Zero(t, sum.Cmp(connector.MustDec(decText(t, vals[1])).Rat()), "order %s: escrow_amount against the identity", vals[0])
		n++
	}
	require.NoError(t, rows.Err())
	require.Positive(t, n)
}

func financePipeline(src *shopee.Source, sink connector.Sink) connector.Pipeline {
	return connector.Pipeline{Name: "shopee/finance", Platform: "shopee", Account: "123456", Source: src, Transformer: src.Transformer(), Sink: sink}
}

// A full load then an incremental one after the simulator's clock moves
// leave the finance tables equal to the simulator's truth, column by
// column: releases of the interval are added, adjustments after release
// replace the released figure (and show as adjustment rows), and the
// stored rows satisfy the escrow_amount identity.
func TestFinanceFullThenIncremental(t *testing.T) {
	for name, open := range sinks(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			sim := newSim(t, shopeetest.Options{Orders: 300, Seed: 3})
			w := open(t)
			src := sourceFor(t, sim, nil, connector.HTTPConfig{}, withFinance, func(c *shopee.Config) { c.StartDate = sim.Now().Add(-150 * 24 * time.Hour) })
			res := runner(connector.Full).Run(ctx, financePipeline(src, w))[0]
			require.NoError(t, res.Err)
			require.Zero(t, res.Rejected)
			truth := financeTruth(sim)
			require.NotEmpty(t, truth["adjustments"])
			// Detail calls: one per 50 released orders, batches carrying
			// across pages and windows (TestFinanceCallsAtTheMinimum counts
			// every endpoint).
			nReleased := int64(len(truth["releases"]))
			calls := res.APICalls[shopee.PathEscrowDetailBatch]
			t.Logf("%d releases: %d escrow list, %d detail, %d wallet calls", nReleased, res.APICalls[shopee.PathEscrowList], calls,
				res.APICalls[shopee.PathWalletTxnList])
			require.Equal(t, (nReleased+49)/50, calls)
			require.Equal(t, truth, financeActual(t, w))
			checkStoredIdentity(t, w)
			checkNetPayout(t, w, sim, false)

			before := truth
			sim.Advance(12 * 24 * time.Hour)
			res = runner(connector.Incremental).Run(ctx, financePipeline(src, w))[0]
			require.NoError(t, res.Err)
			truth = financeTruth(sim)
			require.Greater(t, len(truth["releases"]), len(before["releases"]), "the advance released escrows")
			// Some order released before the advance was adjusted in it.
			released := map[string]bool{}
			for _, r := range before["releases"] {
				released[strings.Split(r, "|")[1]] = true
			}
			adjustedLater := 0
			for _, a := range truth["adjustments"] {
				if released[strings.Split(a, "|")[1]] && !contains(before["adjustments"], a) {
					adjustedLater++
				}
			}
			require.Positive(t, adjustedLater, "an order released before the advance was adjusted after it")
			require.Equal(t, truth, financeActual(t, w))
			checkStoredIdentity(t, w)
			checkNetPayout(t, w, sim, false)
		})
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// estimateSource emits one escrow record as the escrow stream would for an
// order not yet released (an estimate).
type estimateSource struct{ rec connector.Record }

func (s *estimateSource) Streams() []connector.Stream { return []connector.Stream{s} }
func (s *estimateSource) Name() string                { return shopee.StreamEscrow }
func (s *estimateSource) Read(ctx context.Context, _ connector.ReadOptions, emit connector.EmitFunc) error {
	return emit(ctx, connector.Page{Records: []connector.Record{s.rec}, Checkpoint: connector.Checkpoint(`{}`)})
}

// An estimate never replaces a released figure: an estimate record of an
// order whose released (and adjusted) income is stored is skipped and
// counted as stale, and the order's adjustments stay; an estimate of an
// order not stored yet is written, flagged as not released.
func TestFinanceEstimateNeverReplacesReleased(t *testing.T) {
	ctx := context.Background()
	sim := newSim(t, shopeetest.Options{Orders: 200, Seed: 3})
	w := sinks(t)["sqlite"](t)
	src := sourceFor(t, sim, nil, connector.HTTPConfig{}, withFinance, func(c *shopee.Config) { c.StartDate = sim.Now().Add(-150 * 24 * time.Hour) })
	require.NoError(t, runner(connector.Full).Run(ctx, financePipeline(src, w))[0].Err)
	want := financeActual(t, w)

	var released, open shopeetest.Escrow
	for _, e := range sim.Escrows() {
		if _, adj := e.Detail["order_income"].(map[string]any)["order_adjustment"]; e.Released && adj && released.OrderSN == "" {
			released = e
		}
		if !e.Released && open.OrderSN == "" {
			open = e
		}
	}
	require.NotEmpty(t, released.OrderSN)
	require.NotEmpty(t, open.OrderSN)
	estimate := func(e shopeetest.Escrow) connector.Record {
		d := e.Detail
		in := d["order_income"].(map[string]any)
		delete(in, "order_adjustment")
		in["escrow_amount"] = in["escrow_amount"].(float64) + 1 // a moved estimate
		data, err := json.Marshal(map[string]any{"order_sn": e.OrderSN, "released": false, "escrow_detail": d})
		require.NoError(t, err)
		return connector.Record{Key: e.OrderSN, Data: data}
	}
	run := func(rec connector.Record) connector.Result {
		res := runner(connector.Full).Run(ctx, connector.Pipeline{Name: "shopee/estimates", Source: &estimateSource{rec},
			Transformer: src.Transformer(), Sink: w})[0]
		require.NoError(t, res.Err)
		return res
	}
	res := run(estimate(released))
	require.Equal(t, int64(1), res.Stale["staging.shopee_order_income"])
	require.Equal(t, want, financeActual(t, w), "the released, adjusted figure stays")

	res = run(estimate(open))
	require.Empty(t, res.Stale)
	var isReleased bool
	var version any
	require.NoError(t, w.db.QueryRow(`SELECT is_released, income_version_time FROM shopee_order_income WHERE order_sn = ?`, open.OrderSN).
		Scan(&isReleased, &version))
	require.False(t, isReleased)
	require.Nil(t, version, "an estimate has no version")
}

// With a tenth of the calls failing (dropped connections, 5xx, 429,
// truncated bodies, hangs), the finance tables end up the same. A hang
// lasts until the client gives up, after a timeout far above any answer's
// time on a loaded machine.
func TestFinanceFaultsSameContents(t *testing.T) {
	ctx := context.Background()
	sim := newSim(t, shopeetest.Options{Orders: 200, Seed: 3, FaultRate: 0.1, HangFor: time.Minute})
	w := sinks(t)["sqlite"](t)
	src := sourceFor(t, sim, nil, connector.HTTPConfig{Timeout: 3 * time.Second, Attempts: 10}, withFinance,
		func(c *shopee.Config) { c.StartDate = sim.Now().Add(-150 * 24 * time.Hour) })
	res := runner(connector.Full).Run(ctx, financePipeline(src, w))[0]
	require.NoError(t, res.Err)
	faults := 0
	for _, n := range sim.Faults() {
		faults += n
	}
	require.Positive(t, faults)
	t.Logf("faults: %v", sim.Faults())
	require.Positive(t, sim.Calls(shopeetest.PathEscrowDetailBatch))
	require.Equal(t, financeTruth(sim), financeActual(t, w))
}

// A released order the detail answer keeps leaving out fails the run with
// an error naming it; nothing is read as "no income", and the checkpoint
// does not pass it.
func TestFinanceWithheldDetailFails(t *testing.T) {
	ctx := context.Background()
	sim := newSim(t, shopeetest.Options{Orders: 200, Seed: 3})
	var sn string
	for _, e := range sim.Escrows() {
		if e.Released {
			sn = e.OrderSN
			break
		}
	}
	sim.WithholdEscrow(sn)
	w := sinks(t)["sqlite"](t)
	src := sourceFor(t, sim, nil, connector.HTTPConfig{}, withFinance, func(c *shopee.Config) { c.StartDate = sim.Now().Add(-150 * 24 * time.Hour) })
	res := runner(connector.Full).Run(ctx, financePipeline(src, w))[0]
	require.Error(t, res.Err)
	require.ErrorIs(t, res.Err, shopee.ErrBadResponse)
	require.Contains(t, res.Err.Error(), sn)
	require.Equal(t, 0, w.count(t, "shopee_order_income", "WHERE order_sn = ?", sn))
}
