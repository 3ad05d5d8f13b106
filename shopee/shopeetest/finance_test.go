package shopeetest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/stretchr/testify/require"
)

// post sends a signed POST with a JSON body.
func post(t *testing.T, s *shopeetest.Server, path string, body string) reply {
	t.Helper()
	ts := s.Clock().Unix()
	tok := s.InitialAccess()
	q := url.Values{}
	q.Set("partner_id", strconv.FormatInt(s.PartnerID(), 10))
	q.Set("timestamp", strconv.FormatInt(ts, 10))
	q.Set("access_token", tok)
	q.Set("shop_id", strconv.FormatInt(s.ShopID(), 10))
	q.Set("sign", shopee.Sign(s.PartnerKey(), shopee.ShopBase(s.PartnerID(), path, ts, tok, s.ShopID())))
	resp, err := http.Post(s.URL+path+"?"+q.Encode(), "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	var r reply
	b, _ := io.ReadAll(resp.Body)
	require.NoError(t, json.Unmarshal(b, &r), string(b))
	r.Status = resp.StatusCode
	return r
}

// identity is the contract's escrow_amount identity, transcribed here
// independently of the simulator's own list.
var identity = map[string]int{
	"original_cost_of_goods_sold": 1, "original_shopee_discount": -1, "seller_return_refund": 1, "shopee_discount": 1,
	"voucher_from_seller": -1, "seller_coin_cash_back": -1, "buyer_paid_shipping_fee": 1, "actual_shipping_fee": -1,
	"shopee_shipping_rebate": 1, "shipping_fee_discount_from_3pl": 1, "reverse_shipping_fee": -1,
	"rsf_seller_protection_fee_claim_amount": 1, "fsf_seller_protection_fee_claim_amount": 1,
	"final_return_to_seller_shipping_fee": -1, "seller_transaction_fee": -1, "service_fee": -1, "commission_fee": -1,
	"campaign_fee": -1, "shipping_seller_protection_fee_amount": -1, "delivery_seller_protection_fee_premium_amount": -1,
	"final_escrow_product_gst": -1, "order_ams_commission_fee": -1, "escrow_tax": -1, "sales_tax_on_lvg": -1,
	"reverse_shipping_fee_sst": -1, "shipping_fee_sst": -1, "withholding_tax": -1, "overseas_return_service_fee": -1,
	"vat_on_imported_goods": -1, "withholding_vat_tax": -1, "withholding_pit_tax": -1, "withholding_cit_tax": -1,
	"seller_order_processing_fee": -1, "buyer_paid_packaging_fee": 1, "trade_in_bonus_by_seller": -1, "fbs_fee": -1,
	"ads_escrow_top_up_fee_or_technical_support_fee": -1, "th_import_duty": -1,
}

// checkIdentity asserts the identity on one order_income object (JSON).
func checkIdentity(t *testing.T, sn string, income map[string]json.Number) {
	t.Helper()
	var sum int64
	for f, sign := range identity {
		v, ok := income[f]
		require.True(t, ok, "%s: order_income.%s missing", sn, f)
		n, err := v.Int64()
		require.NoError(t, err, "%s: %s = %s is not whole đồng", sn, f, v)
		sum += int64(sign) * n
	}
	escrow, err := income["escrow_amount"].Int64()
	require.NoError(t, err)
	require.Equal(t, sum, escrow, "%s: escrow_amount against the identity", sn)
	adj, _ := income["total_adjustment_amount"].Int64()
	after, _ := income["escrow_amount_after_adjustment"].Int64()
	require.Equal(t, escrow+adj, after, "%s: escrow_amount_after_adjustment", sn)
}

func TestFinanceIdentityOnEveryOrder(t *testing.T) {
	s := shopeetest.NewServer(shopeetest.Options{Now: now, Seed: 3, Orders: 300})
	defer s.Close()
	s.Advance(20 * 24 * time.Hour) // releases, adjustments and withdrawals happen
	escrows := s.Escrows()
	var released, adjusted int
	for lo := 0; lo < len(escrows); lo += 50 {
		var sns []string
		for _, e := range escrows[lo:min(lo+50, len(escrows))] {
			sns = append(sns, e.OrderSN)
		}
		body, _ := json.Marshal(map[string]any{"order_sn_list": sns})
		r := post(t, s, shopeetest.PathEscrowDetailBatch, string(body))
		require.Equal(t, "", r.Error)
		var list []struct {
			Detail struct {
				OrderSN string          `json:"order_sn"`
				Income  json.RawMessage `json:"order_income"`
			} `json:"escrow_detail"`
		}
		require.NoError(t, json.Unmarshal(r.Response, &list))
		require.Len(t, list, len(sns), "every paid order has an escrow")
		for i, d := range list {
			require.Equal(t, sns[i], d.Detail.OrderSN)
			// The identity on the answer as served over HTTP.
			dec := json.NewDecoder(bytes.NewReader(d.Detail.Income))
			dec.UseNumber()
			var m map[string]any
			require.NoError(t, dec.Decode(&m))
			income := map[string]json.Number{}
			for k, v := range m {
				if n, ok := v.(json.Number); ok {
					income[k] = n
				}
			}
			checkIdentity(t, d.Detail.OrderSN, income)
		}
	}
	for _, e := range escrows {
		if e.Released {
			released++
			if adj, _ := e.Detail["order_income"].(map[string]any)["order_adjustment"].([]any); len(adj) > 0 {
				adjusted++
			}
		}
	}
	require.Greater(t, released, 0)
	require.Greater(t, adjusted, 0)
	require.Greater(t, len(escrows), released, "some escrows are still estimates")

	// The wallet: every balance follows from the one before, releases are
	// credited with their payout, and withdrawals empty the balance.
	wallet := s.Wallet()
	var bal float64
	var withdrawals int
	payout := map[string]float64{}
	for _, e := range escrows {
		if e.Released {
			payout[e.OrderSN] = e.PayoutAmount
		}
	}
	for i, w := range wallet {
		bal += w.Amount
		require.Equal(t, bal, w.CurrentBalance, "txn %d", i)
		if i > 0 {
			require.GreaterOrEqual(t, w.CreateTime, wallet[i-1].CreateTime)
		}
		switch w.TransactionType {
		case "ESCROW_VERIFIED_ADD", "ESCROW_VERIFIED_MINUS":
			require.Equal(t, payout[w.OrderSN], w.Amount, w.OrderSN)
			delete(payout, w.OrderSN)
		case "WITHDRAWAL_CREATED":
			withdrawals++
			require.Equal(t, 0.0, w.CurrentBalance)
		}
	}
	require.Empty(t, payout, "every release has its wallet credit")
	require.Greater(t, withdrawals, 0)
}

func TestFinanceLimits(t *testing.T) {
	s := shopeetest.NewServer(shopeetest.Options{Now: now, Seed: 3})
	defer s.Close()
	tok := s.InitialAccess()
	list := func(params url.Values) reply {
		return call(t, s, shopeetest.PathEscrowList, tok, params, nil)
	}
	from := now.Add(-30 * 24 * time.Hour).Unix()
	win := func(a, b int64, extra ...string) url.Values {
		v := url.Values{"release_time_from": {strconv.FormatInt(a, 10)}, "release_time_to": {strconv.FormatInt(b, 10)}}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return v
	}
	require.Equal(t, "error_param", list(win(from, from-1)).Error)
	require.Equal(t, "error_param", list(win(from, from+16*24*3600)).Error)
	require.Equal(t, "error_param", list(win(from, from+3600, "page_size", "101")).Error)
	require.Equal(t, "error_param", list(win(from, from+3600, "page_no", "0")).Error)
	require.Equal(t, "error_param", list(url.Values{"release_time_from": {"abc"}, "release_time_to": {"1"}}).Error)
	require.Equal(t, "", list(win(from, from)).Error, "a zero-width window is accepted")

	// Paging: the pages of a window concatenate to the window's releases.
	var got []string
	for no := 1; ; no++ {
		r := list(win(from, from+15*24*3600, "page_size", "7", "page_no", strconv.Itoa(no)))
		require.Equal(t, "", r.Error)
		var p struct {
			List []struct {
				OrderSN string `json:"order_sn"`
			} `json:"escrow_list"`
			More *bool `json:"more"`
		}
		require.NoError(t, json.Unmarshal(r.Response, &p))
		require.NotNil(t, p.More)
		for _, e := range p.List {
			got = append(got, e.OrderSN)
		}
		if !*p.More {
			break
		}
	}
	var want []string
	for _, e := range s.Escrows() {
		if e.Released && e.ReleaseTime >= from && e.ReleaseTime <= from+15*24*3600 {
			want = append(want, e.OrderSN)
		}
	}
	require.NotEmpty(t, want)
	require.ElementsMatch(t, want, got)

	many := make([]string, 51)
	for i := range many {
		many[i] = "X" + strconv.Itoa(i)
	}
	body, _ := json.Marshal(map[string]any{"order_sn_list": many})
	require.Equal(t, "exceed_max_limit", post(t, s, shopeetest.PathEscrowDetailBatch, string(body)).Error)
	require.Equal(t, "error_param", post(t, s, shopeetest.PathEscrowDetailBatch, `{"order_sn_list":"A"}`).Error)
	require.Equal(t, "error_param", post(t, s, shopeetest.PathEscrowDetailBatch, `{`).Error)
	require.Equal(t, "error_param", call(t, s, shopeetest.PathEscrowDetailBatch, tok, nil, nil).Error, "GET is refused")

	wl := func(extra ...string) reply {
		v := url.Values{}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return call(t, s, shopeetest.PathWalletTxnList, tok, v, nil)
	}
	f := strconv.FormatInt(from, 10)
	require.Equal(t, "error_param", wl("page_size", "10").Error, "page_no is required")
	require.Equal(t, "error_param", wl("page_no", "0", "page_size", "101").Error)
	require.Equal(t, "time_invalid", wl("page_no", "0", "page_size", "10", "create_time_from", f, "create_time_to", strconv.FormatInt(from-1, 10)).Error)
	require.Equal(t, "time_period_too_large", wl("page_no", "0", "page_size", "10", "create_time_from", f,
		"create_time_to", strconv.FormatInt(from+15*24*3600+1, 10)).Error)
	require.Equal(t, "", wl("page_no", "0", "page_size", "10", "create_time_from", f, "create_time_to", strconv.FormatInt(from+15*24*3600, 10)).Error)
}

// Two servers with the same options hold the same finance data.
func TestFinanceDeterministic(t *testing.T) {
	a := shopeetest.NewServer(shopeetest.Options{Now: now, Seed: 5, Orders: 120})
	defer a.Close()
	b := shopeetest.NewServer(shopeetest.Options{Now: now, Seed: 5, Orders: 120})
	defer b.Close()
	a.Advance(10 * 24 * time.Hour)
	b.Advance(10 * 24 * time.Hour)
	require.Equal(t, a.Wallet(), b.Wallet())
	require.Equal(t, a.Escrows(), b.Escrows())
}
