package tiktoktest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/facolos/etl/tiktok/tiktoktest"
	"github.com/stretchr/testify/require"
)

func finReq(path string, q url.Values) req {
	return req{method: http.MethodGet, path: path, q: q}
}

// The finance endpoints refuse what the contract refuses, with the
// platform's error shape (21001001 in an HTTP 200 envelope).
func TestFinanceLimits(t *testing.T) {
	s := newSim(t, tiktoktest.Options{Orders: 80, Now: time.Now().Truncate(time.Second), Days: 30})
	sts := s.Statements()
	require.NotEmpty(t, sts)
	txPath := tiktoktest.StatementTransactionsPath(sts[0].ID)
	ok := []req{
		finReq(tiktoktest.PathStatements, url.Values{"sort_field": {"statement_time"}}),
		finReq(tiktoktest.PathStatements, url.Values{"sort_field": {"statement_time"}, "sort_order": {"DESC"}, "page_size": {"100"}, "payment_status": {"PAID"}}),
		finReq(txPath, url.Values{"sort_field": {"order_create_time"}}),
		finReq(tiktoktest.PathWithdrawals, url.Values{"types": {"WITHDRAW,SETTLE,TRANSFER,REVERSE"}}),
	}
	for _, r := range ok {
		a := do(t, s, r)
		require.Zero(t, a.Code, "%s %v: %s", r.path, r.q, a.Message)
	}
	bad := []req{
		finReq(tiktoktest.PathStatements, url.Values{}),
		finReq(tiktoktest.PathStatements, url.Values{"sort_field": {"create_time"}}),
		finReq(tiktoktest.PathStatements, url.Values{"sort_field": {"statement_time"}, "sort_order": {"UP"}}),
		finReq(tiktoktest.PathStatements, url.Values{"sort_field": {"statement_time"}, "page_size": {"101"}}),
		finReq(tiktoktest.PathStatements, url.Values{"sort_field": {"statement_time"}, "page_size": {"0"}}),
		finReq(tiktoktest.PathStatements, url.Values{"sort_field": {"statement_time"}, "payment_status": {"DONE"}}),
		finReq(tiktoktest.PathStatements, url.Values{"sort_field": {"statement_time"}, "statement_time_ge": {"x"}}),
		finReq(tiktoktest.PathStatements, url.Values{"sort_field": {"statement_time"}, "statement_time_ge": {"20"}, "statement_time_lt": {"10"}}),
		finReq(tiktoktest.PathStatements, url.Values{"sort_field": {"statement_time"}, "page_token": {"bm90IGEgdG9rZW4="}}),
		finReq(txPath, url.Values{}),
		finReq(tiktoktest.StatementTransactionsPath("123"), url.Values{"sort_field": {"order_create_time"}}),
		finReq(tiktoktest.PathWithdrawals, url.Values{}),
		finReq(tiktoktest.PathWithdrawals, url.Values{"types": {"WITHDRAW,PAYOUT"}}),
	}
	for _, r := range bad {
		a := do(t, s, r)
		require.Equal(t, tiktoktest.CodeInvalidParams, a.Code, "%s %v", r.path, r.q)
		require.Equal(t, http.StatusOK, a.Status)
	}
	// A page token belongs to its query.
	a := do(t, s, finReq(tiktoktest.PathStatements, url.Values{"sort_field": {"statement_time"}, "page_size": {"2"}}))
	var p struct {
		Next string `json:"next_page_token"`
	}
	require.NoError(t, json.Unmarshal(a.Data, &p))
	require.NotEmpty(t, p.Next)
	a = do(t, s, finReq(tiktoktest.PathStatements, url.Values{"sort_field": {"statement_time"}, "page_size": {"3"}, "page_token": {p.Next}}))
	require.Equal(t, tiktoktest.CodeInvalidParams, a.Code)
	a = do(t, s, finReq(tiktoktest.PathStatements, url.Values{"sort_field": {"statement_time"}, "page_size": {"2"}, "page_token": {p.Next}}))
	require.Zero(t, a.Code)
	// The by-order endpoint is not served.
	a = do(t, s, finReq("/finance/202501/orders/123/statement_transactions", nil))
	require.Equal(t, 36009009, a.Code)
}

// The sums balance on every statement and transaction: a transaction's
// settlement is its revenue, shipping, fee and tax and adjustment; a
// statement's is its transactions'; the balance is what the settlements
// paid brought in minus what was withdrawn; the statements of the finance
// state are a pure function of the options and the clock.
func TestFinanceSumsBalance(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	s := newSim(t, tiktoktest.Options{Orders: 120, Now: now, Days: 30, Seed: 4})
	s.Advance(5 * 24 * time.Hour)
	sts := s.Statements()
	var paid int64
	for _, st := range sts {
		var sum, rev, fee, adj int64
		for _, tx := range st.Transactions {
			var byGroup = map[string]int64{}
			for _, c := range tx.Components {
				byGroup[c.Group] += c.Amount
			}
			require.Equal(t, byGroup["revenue"], tx.Revenue, "transaction %s", tx.ID)
			require.Equal(t, byGroup["shipping_cost"], tx.Shipping, "transaction %s", tx.ID)
			require.Equal(t, byGroup["fee"]+byGroup["tax"], tx.FeeTax, "transaction %s", tx.ID)
			require.Equal(t, tx.Revenue+tx.Shipping+tx.FeeTax+tx.Adjust, tx.Settlement, "transaction %s", tx.ID)
			sum, rev, fee, adj = sum+tx.Settlement, rev+tx.Revenue, fee+tx.Shipping+tx.FeeTax, adj+tx.Adjust
		}
		require.Equal(t, []int64{sum, rev, fee, adj}, []int64{st.Settlement, st.Revenue, st.Fee, st.Adjustment}, "statement %s", st.ID)
		require.Equal(t, st.Revenue+st.Fee+st.Adjustment, st.Settlement)
		require.Zero(t, st.Time%86400, "statements are stamped 00:00 UTC")
		if st.PaymentStatus == "PAID" {
			paid += st.Settlement
		}
	}
	var in, out int64
	for _, w := range s.Withdrawals() {
		switch w.Type {
		case "SETTLE":
			in += w.Amount
		case "WITHDRAW":
			out += w.Amount
		}
	}
	require.Equal(t, paid, in, "every PAID statement credited the balance")
	require.Equal(t, in-out, s.Balance())
	require.Positive(t, out, "withdrawals moved the balance")
}
