package lazadatest_test

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/facolos/etl/lazada/lazadatest"
	"github.com/stretchr/testify/require"
)

func txns(s *lazadatest.Server, extra map[string]string) map[string]string {
	today := s.Now().Format(time.DateOnly)
	p := map[string]string{"access_token": s.InitialAccess(), "start_time": s.Now().AddDate(0, 0, -170).Format(time.DateOnly),
		"end_time": today, "limit": "500", "offset": "0"}
	for k, v := range extra {
		p[k] = v
	}
	return p
}

// The finance endpoints enforce the contract's limits with its codes (and
// the readings the simulator chose where the contract is silent).
func TestFinanceStrict(t *testing.T) {
	s := lazadatest.NewServer(lazadatest.Options{Orders: 30, OffsetCap: 200})
	defer s.Close()
	require.Equal(t, "0", call(t, s, s.URL, lazadatest.PathTransactions, txns(s, nil), false).Code)
	require.Equal(t, "0", call(t, s, s.URL, lazadatest.PathTransactions, txns(s, map[string]string{"trans_type": "-1"}), true).Code)
	cases := []struct {
		name   string
		params map[string]string
		code   string
	}{
		{"no start", txns(s, map[string]string{"start_time": ""}), "MissingParameter"},
		{"a time, not a date", txns(s, map[string]string{"end_time": "2026-01-01T00:00:00+07:00"}), "InvalidParameter"},
		{"180 days", txns(s, map[string]string{"start_time": s.Now().AddDate(0, 0, -180).Format(time.DateOnly)}), "1000012"},
		{"unknown fee type", txns(s, map[string]string{"trans_type": "99999"}), "1000014"},
		{"limit 501", txns(s, map[string]string{"limit": "501"}), "InvalidParameter"},
		{"limit 0", txns(s, map[string]string{"limit": "0"}), "InvalidParameter"},
		{"offset beyond the cap", txns(s, map[string]string{"offset": "201"}), "14"},
		{"bad token", txns(s, map[string]string{"access_token": "nope"}), "IllegalAccessToken"},
	}
	for _, c := range cases {
		require.Equal(t, c.code, call(t, s, s.URL, lazadatest.PathTransactions, c.params, false).Code, c.name)
	}
	pay := func(p map[string]string) string {
		p["access_token"] = s.InitialAccess()
		return call(t, s, s.URL, lazadatest.PathPayoutStatus, p, false).Code
	}
	require.Equal(t, "0", pay(map[string]string{"created_after": "2024-01-01"}))
	require.Equal(t, "MissingParameter", pay(map[string]string{}))
	require.Equal(t, "InvalidParameter", pay(map[string]string{"created_after": "01/01/2024"}))
}

// The ledger follows the orders: every order with rows has items seen
// delivered or returned; item credits, commissions and payment fees come
// together; reversals follow a credit of the same item; rows of a paid
// statement are paid and the others not; each statement's identities hold
// and its subtotal2 is the sum of its period's rows; the net payouts are
// the ledger's sums. Transaction numbers are unique.
func TestFinanceLedger(t *testing.T) {
	s := lazadatest.NewServer(lazadatest.Options{Orders: 200, Seed: 4, Now: time.Now().Add(-48 * time.Hour)})
	defer s.Close()
	s.Advance(24 * time.Hour)
	s.AdvanceClock(6 * 24 * time.Hour)
	ledger := s.Transactions()
	require.NotEmpty(t, ledger)
	statements := s.Statements()
	paid := map[string]bool{}
	for _, st := range statements {
		paid[st.PeriodEnd] = st.Paid
		require.Equal(t, st.ItemRevenue+st.OtherRevenue-st.FeesTotal, st.Subtotal1, st.Number)
		require.Equal(t, st.Subtotal1-st.Refunds, st.Subtotal2, st.Number)
		require.Equal(t, st.Opening+st.Subtotal2, st.Closing, st.Number)
	}
	sum := map[string]int64{}
	numbers := map[string]bool{}
	credited := map[int64]bool{}
	kinds := map[lazadatest.FeeKind]int{}
	net := map[int64]int64{}
	for _, tx := range ledger {
		require.False(t, numbers[tx.Number], "number %s unique", tx.Number)
		numbers[tx.Number] = true
		sum[tx.PeriodEnd] += tx.Amount
		require.Equal(t, paid[tx.PeriodEnd], tx.Paid, "row %s paid as its statement", tx.Number)
		kinds[tx.Kind]++
		if tx.FeeType == 13 {
			credited[tx.OrderItemID] = true
		}
		if tx.FeeType == 14 {
			require.True(t, credited[tx.OrderItemID], "item %d reversed after its credit", tx.OrderItemID)
		}
		if tx.OrderID != 0 {
			net[tx.OrderID] += tx.Amount
		}
	}
	for _, st := range statements {
		require.Equal(t, sum[st.PeriodEnd], st.Subtotal2, "%s: its period's rows sum to subtotal2", st.Number)
	}
	for _, k := range []lazadatest.FeeKind{lazadatest.KindItem, lazadatest.KindCommission, lazadatest.KindTransaction,
		lazadatest.KindService, lazadatest.KindShipping, lazadatest.KindVoucherSeller, lazadatest.KindAdjustment, lazadatest.KindOther} {
		require.Positive(t, kinds[k], "rows of kind %s", k)
	}
	seen := map[int64]bool{}
	for _, o := range s.Orders() {
		for _, it := range o.Items {
			if credited[it.ID] {
				seen[o.ID] = true
			}
		}
	}
	nps := s.NetPayouts()
	require.Len(t, nps, len(net))
	for id, np := range nps {
		require.Equal(t, net[id], np.Net, "order %d", id)
		var byKind int64
		for _, v := range np.ByKind {
			byKind += v
		}
		require.Equal(t, np.Net, byKind)
	}
}

// The finance data is a pure function of the options and the clock, and
// the documentation's form sends every value as a string.
func TestFinanceDeterministicAndDocForm(t *testing.T) {
	opts := lazadatest.Options{Orders: 60, Seed: 3, Now: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)}
	a, b := lazadatest.NewServer(opts), lazadatest.NewServer(opts)
	defer a.Close()
	defer b.Close()
	require.Equal(t, a.Transactions(), b.Transactions())
	require.Equal(t, a.Statements(), b.Statements())

	opts.DocForm = true
	d := lazadatest.NewServer(opts)
	defer d.Close()
	ans := call(t, d, d.URL, lazadatest.PathTransactions, txns(d, map[string]string{"start_time": "2026-05-01", "end_time": "2026-09-30"}), false)
	require.Equal(t, "0", ans.Code)
	var rows []map[string]any
	require.NoError(t, json.Unmarshal(ans.Data, &rows))
	require.NotEmpty(t, rows)
	for _, r := range rows {
		for k, v := range r {
			_, isString := v.(string)
			require.True(t, isString, "%s is %T", k, v)
		}
		_, err := time.Parse("2 Jan 2006", r["transaction_date"].(string))
		require.NoError(t, err)
		require.Contains(t, []string{"Yes", "No"}, r["paid_status"])
	}
	ans = call(t, d, d.URL, lazadatest.PathPayoutStatus, map[string]string{"access_token": d.InitialAccess(), "created_after": "2026-05-01"}, false)
	require.Equal(t, "0", ans.Code)
	var sts []map[string]any
	require.NoError(t, json.Unmarshal(ans.Data, &sts))
	require.NotEmpty(t, sts)
	for _, st := range sts {
		require.Regexp(t, `^\d+\.00 VND$`, st["payout"])
		_, err := time.Parse(time.DateTime, st["created_at"].(string))
		require.NoError(t, err)
		_, err = strconv.Atoi(st["paid"].(string))
		require.NoError(t, err)
	}
}
