package shopeetest

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
)

// Paths of the simulated payment endpoints.
const (
	PathEscrowList        = "/api/v2/payment/get_escrow_list"
	PathEscrowDetailBatch = "/api/v2/payment/get_escrow_detail_batch"
	PathWalletTxnList     = "/api/v2/payment/get_wallet_transaction_list"
)

// Finance lifecycle of the simulator (the contract's INFERRED defaults):
// an order's escrow exists from payment as an estimate that follows the
// order's current items; ReleaseLagMin to ReleaseLagMax days after the
// order is completed it is released (frozen, listed by get_escrow_list, and
// credited to the wallet as ESCROW_VERIFIED_ADD); AdjustedShare of the
// released orders get one order_adjustment 1 to 10 days later (a
// compensation, a logistics deduction, or a return after payout), with its
// wallet twin; every Monday 02:00 UTC the positive wallet balance is
// withdrawn to the bank (WITHDRAWAL_CREATED).
const (
	ReleaseLagMin = 7
	ReleaseLagMax = 15
	AdjustedShare = 0.15
)

// EscrowIdentity is the contract's identity for escrow_amount: the sum of
// these order_income fields with their signs.
var EscrowIdentity = []struct {
	Field string
	Sign  int
}{
	{"original_cost_of_goods_sold", 1}, {"original_shopee_discount", -1}, {"seller_return_refund", 1}, {"shopee_discount", 1},
	{"voucher_from_seller", -1}, {"seller_coin_cash_back", -1},
	{"buyer_paid_shipping_fee", 1}, {"actual_shipping_fee", -1}, {"shopee_shipping_rebate", 1}, {"shipping_fee_discount_from_3pl", 1},
	{"reverse_shipping_fee", -1}, {"rsf_seller_protection_fee_claim_amount", 1}, {"fsf_seller_protection_fee_claim_amount", 1},
	{"final_return_to_seller_shipping_fee", -1},
	{"seller_transaction_fee", -1}, {"service_fee", -1}, {"commission_fee", -1}, {"campaign_fee", -1},
	{"shipping_seller_protection_fee_amount", -1}, {"delivery_seller_protection_fee_premium_amount", -1},
	{"final_escrow_product_gst", -1}, {"order_ams_commission_fee", -1}, {"escrow_tax", -1}, {"sales_tax_on_lvg", -1},
	{"reverse_shipping_fee_sst", -1}, {"shipping_fee_sst", -1}, {"withholding_tax", -1}, {"overseas_return_service_fee", -1},
	{"vat_on_imported_goods", -1}, {"withholding_vat_tax", -1}, {"withholding_pit_tax", -1}, {"withholding_cit_tax", -1},
	{"seller_order_processing_fee", -1}, {"buyer_paid_packaging_fee", 1}, {"trade_in_bonus_by_seller", -1}, {"fbs_fee", -1},
	{"ads_escrow_top_up_fee_or_technical_support_fee", -1}, {"th_import_duty", -1},
}

// IncomeMoneyFields are the scalar money fields of order_income the
// simulator serves (all of the contract's scalar money fields that a VN
// local shop can see; region-only ones are 0).
var IncomeMoneyFields = []string{
	"escrow_amount", "escrow_amount_after_adjustment", "total_adjustment_amount", "buyer_total_amount",
	"cost_of_goods_sold", "original_cost_of_goods_sold", "order_original_price", "original_price", "order_selling_price",
	"order_discounted_price", "order_seller_discount", "seller_discount", "shopee_discount", "original_shopee_discount",
	"voucher_from_seller", "voucher_from_shopee", "voucher_from_external_party", "coins", "seller_coin_cash_back",
	"payment_promotion", "credit_card_promotion", "prorated_coins_value_offset_return_items",
	"prorated_shopee_voucher_offset_return_items", "prorated_seller_voucher_offset_return_items",
	"prorated_payment_channel_promo_bank_offset_return_items", "prorated_payment_channel_promo_shopee_offset_return_items",
	"commission_fee", "service_fee", "seller_transaction_fee", "buyer_transaction_fee", "credit_card_transaction_fee",
	"order_ams_commission_fee", "campaign_fee", "seller_order_processing_fee", "ads_escrow_top_up_fee_or_technical_support_fee",
	"shipping_seller_protection_fee_amount", "delivery_seller_protection_fee_premium_amount", "fbs_fee",
	"buyer_paid_shipping_fee", "actual_shipping_fee", "estimated_shipping_fee", "shopee_shipping_rebate",
	"shipping_fee_discount_from_3pl", "seller_shipping_discount", "final_shipping_fee", "reverse_shipping_fee",
	"final_return_to_seller_shipping_fee", "rsf_seller_protection_fee_claim_amount", "fsf_seller_protection_fee_claim_amount",
	"seller_lost_compensation", "seller_return_refund", "drc_adjustable_refund",
	"withholding_vat_tax", "withholding_pit_tax", "withholding_cit_tax", "vat_on_imported_goods", "escrow_tax",
	"final_product_vat_tax", "final_shipping_vat_tax", "final_escrow_product_gst", "final_escrow_shipping_gst",
	"sales_tax_on_lvg", "shipping_fee_sst", "reverse_shipping_fee_sst", "withholding_tax", "th_import_duty", "cross_border_tax",
	"overseas_return_service_fee", "buyer_paid_packaging_fee", "trade_in_bonus_by_seller", "final_product_protection",
}

// Escrow is the simulator's escrow of one order.
type Escrow struct {
	OrderSN string
	// Released is true once the escrow was released at ReleaseTime, with
	// PayoutAmount (escrow_amount then).
	Released     bool
	ReleaseTime  int64
	PayoutAmount float64
	// Detail is the escrow_detail object get_escrow_detail_batch serves.
	Detail map[string]any
}

// WalletTxn is one wallet transaction as get_wallet_transaction_list
// serves it.
type WalletTxn struct {
	TransactionID      int64   `json:"transaction_id"`
	Status             string  `json:"status"`
	TransactionType    string  `json:"transaction_type"`
	Amount             float64 `json:"amount"`
	CurrentBalance     float64 `json:"current_balance"`
	CreateTime         int64   `json:"create_time"`
	OrderSN            string  `json:"order_sn"`
	RefundSN           string  `json:"refund_sn"`
	WithdrawalType     string  `json:"withdrawal_type"`
	TransactionFee     float64 `json:"transaction_fee"`
	Description        string  `json:"description"`
	BuyerName          string  `json:"buyer_name"`
	PayOrderList       []any   `json:"pay_order_list"`
	ShopName           string  `json:"shop_name"`
	WithdrawalID       int64   `json:"withdrawal_id"`
	RootWithdrawalID   int64   `json:"root_withdrawal_id"`
	Reason             string  `json:"reason"`
	TransactionTabType string  `json:"transaction_tab_type"`
	MoneyFlow          string  `json:"money_flow"`
	TxnTitle           string  `json:"txn_title"`
	OutletShopName     string  `json:"outlet_shop_name"`
}

// escrowState is the finance state of one completed order.
type escrowState struct {
	completeAt, releaseAt int64
	adjustAt              int64 // 0: never adjusted
	adjustKind            int
	released, adjusted    bool
	income                map[string]any // frozen at release
	detail                map[string]any // escrow_detail, frozen at release
}

const walletShopName = "Shop Mô Phỏng"

func (s *Server) finRand(sn string, salt uint64) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(sn))
	return rand.New(rand.NewPCG(uint64(s.opts.Seed)^h.Sum64(), salt))
}

// settleFinance moves the finance state to the data clock: it notes newly
// completed orders, releases and adjusts escrows whose time has come and
// withdraws on Mondays, appending the wallet transactions in time order.
// Called with s.mu held.
func (s *Server) settleFinance() {
	now := s.now.Unix()
	for _, o := range s.orders {
		if o.OrderStatus != "COMPLETED" || s.fin[o.OrderSN] != nil || !paid(o) {
			continue
		}
		r := s.finRand(o.OrderSN, 1)
		st := &escrowState{completeAt: o.UpdateTime}
		st.releaseAt = st.completeAt + int64(ReleaseLagMin+r.IntN(ReleaseLagMax-ReleaseLagMin+1))*day + r.Int64N(day)
		if r.Float64() < AdjustedShare {
			st.adjustKind = 1 + r.IntN(3)
			st.adjustAt = st.releaseAt + int64(1+r.IntN(10))*day + r.Int64N(day)
		}
		s.fin[o.OrderSN] = st
	}
	type event struct {
		at   int64
		kind int // 0 release, 1 adjustment, 2 withdrawal
		sn   string
	}
	var evs []event
	for sn, st := range s.fin {
		if !st.released && st.releaseAt <= now {
			evs = append(evs, event{st.releaseAt, 0, sn})
		}
		if st.adjustKind > 0 && !st.adjusted && st.adjustAt <= now {
			evs = append(evs, event{st.adjustAt, 1, sn})
		}
	}
	if len(s.orders) > 0 {
		first := max(s.finSettled+1, s.orders[0].CreateTime)
		// Mondays 02:00 UTC (1970-01-01 was a Thursday: Mondays are 4 days on).
		const week = 7 * day
		off := int64(4*day + 2*3600)
		k := (first - off + week - 1) / week
		for t := off + k*week; t <= now; t += week {
			if t >= first {
				evs = append(evs, event{t, 2, ""})
			}
		}
	}
	sort.Slice(evs, func(i, j int) bool {
		a, b := evs[i], evs[j]
		if a.at != b.at {
			return a.at < b.at
		}
		if a.kind != b.kind {
			return a.kind < b.kind
		}
		return a.sn < b.sn
	})
	for _, e := range evs {
		switch e.kind {
		case 0:
			st := s.fin[e.sn]
			o := s.bySN[e.sn]
			st.detail = s.escrowDetail(o)
			st.income = st.detail["order_income"].(map[string]any)
			st.released = true
			amt := st.income["escrow_amount"].(float64)
			typ, flow := "ESCROW_VERIFIED_ADD", "MONEY_IN"
			if amt < 0 {
				typ, flow = "ESCROW_VERIFIED_MINUS", "MONEY_OUT"
			}
			s.addTxn(WalletTxn{TransactionType: typ, Amount: amt, CreateTime: e.at, OrderSN: e.sn, BuyerName: o.BuyerUsername,
				Description: "Order income " + e.sn, TransactionTabType: "wallet_order_income", MoneyFlow: flow})
		case 1:
			st := s.fin[e.sn]
			if !st.released {
				continue // cannot happen: adjustments come after the release
			}
			o := s.bySN[e.sn]
			r := s.finRand(e.sn, 2)
			var amt float64
			var reason, typ string
			switch st.adjustKind {
			case 1:
				amt, reason, typ = float64(5000+1000*r.IntN(20)), "Logistics compensation", "ADJUSTMENT_ADD"
			case 2:
				amt, reason, typ = -float64(2000+1000*r.IntN(10)), "Logistics deduction", "ADJUSTMENT_MINUS"
			default:
				unit := 10000.0
				if len(o.ItemList) > 0 {
					unit = o.ItemList[0].ModelDiscountedPrice
				}
				amt, reason, typ = -unit, "RR deduction", "ADJUSTMENT_FOR_RR_AFTER_ESCROW_VERIFIED"
				st.detail["return_order_sn_list"] = []string{"RR" + e.sn}
			}
			in := st.income
			in["order_adjustment"] = []map[string]any{{"amount": amt, "date": e.at, "currency": "VND", "adjustment_reason": reason}}
			in["total_adjustment_amount"] = amt
			in["escrow_amount_after_adjustment"] = in["escrow_amount"].(float64) + amt
			st.adjusted = true
			flow := "MONEY_IN"
			if amt < 0 {
				flow = "MONEY_OUT"
			}
			s.addTxn(WalletTxn{TransactionType: typ, Amount: amt, CreateTime: e.at, OrderSN: e.sn, BuyerName: o.BuyerUsername,
				Reason: reason, Description: reason + " " + e.sn, TransactionTabType: "wallet_adjustment_filter", MoneyFlow: flow})
		case 2:
			if s.balance <= 0 {
				continue
			}
			s.withdrawals++
			id := int64(880000 + s.withdrawals)
			s.addTxn(WalletTxn{TransactionType: "WITHDRAWAL_CREATED", Amount: -s.balance, CreateTime: e.at, WithdrawalType: "BANK",
				WithdrawalID: id, RootWithdrawalID: id, Description: "Withdrawal to bank", TransactionTabType: "wallet_withdrawals", MoneyFlow: "MONEY_OUT"})
		}
	}
	s.finSettled = now
}

func paid(o *Order) bool {
	return o.PayTime > 0 && o.OrderStatus != "CANCELLED" && o.OrderStatus != "UNPAID"
}

// addTxn appends a wallet transaction, moving the balance.
func (s *Server) addTxn(t WalletTxn) {
	s.txnID++
	t.TransactionID = 7_000_000_000 + s.txnID
	t.Status = "COMPLETED"
	t.ShopName = walletShopName
	t.PayOrderList = []any{}
	if t.OrderSN != "" {
		t.PayOrderList = []any{map[string]any{"order_sn": t.OrderSN, "shop_name": walletShopName}}
	}
	s.balance += t.Amount
	t.CurrentBalance = s.balance
	s.wallet = append(s.wallet, t)
}

// escrowDetail computes the escrow_detail of o from its current items: the
// estimate before release, the frozen figure at release. escrow_amount is
// the contract's identity over the other fields.
func (s *Server) escrowDetail(o *Order) map[string]any {
	r := s.finRand(o.OrderSN, 3)
	in := map[string]any{}
	for _, f := range IncomeMoneyFields {
		in[f] = 0.0
	}
	var orig, cogs float64
	items := []map[string]any{}
	for i, it := range o.ItemList {
		q := float64(it.ModelQuantityPurchased)
		op, dp := it.ModelOriginalPrice*q, it.ModelDiscountedPrice*q
		orig += op
		cogs += dp
		items = append(items, map[string]any{
			"item_id": it.ItemID, "item_name": it.ItemName, "item_sku": it.ItemSKU, "model_id": it.ModelID, "model_name": it.ModelName,
			"model_sku": it.ModelSKU, "line_item_id": it.OrderItemID, "original_price": op, "selling_price": dp, "discounted_price": dp,
			"seller_discount": op - dp, "shopee_discount": 0.0, "discount_from_coin": 0.0, "discount_from_voucher_shopee": 0.0,
			"discount_from_voucher_seller": 0.0, "activity_type": "", "activity_id": 0, "is_main_item": i == 0,
			"quantity_purchased": it.ModelQuantityPurchased, "is_b2c_shop_item": false, "ams_commission_fee": 0.0, "promotion_list": []any{},
		})
	}
	round := func(f float64) float64 { return float64(int64(f + 0.5)) }
	set := func(k string, v float64) { in[k] = v }
	set("order_original_price", orig)
	set("original_price", orig)
	set("order_selling_price", cogs)
	set("order_discounted_price", cogs)
	set("order_seller_discount", orig-cogs)
	set("seller_discount", orig-cogs)
	set("cost_of_goods_sold", cogs)
	set("original_cost_of_goods_sold", cogs)
	if r.IntN(5) == 0 {
		d := float64(1000 * (1 + r.IntN(5)))
		set("shopee_discount", d)
		set("original_shopee_discount", d)
	}
	vs := 0.0
	if r.IntN(10) < 3 {
		vs = min(float64(1000*(5+r.IntN(15))), round(cogs/10/1000)*1000)
	}
	set("voucher_from_seller", vs)
	vsh := 0.0
	if r.IntN(5) == 0 {
		vsh = 10000
	}
	set("voucher_from_shopee", vsh)
	coins := 0.0
	if r.IntN(5) == 0 {
		coins = float64(100 * (1 + r.IntN(20)))
	}
	set("coins", coins)
	if r.IntN(10) == 0 {
		set("seller_coin_cash_back", 500)
	}
	actual := o.ActualShippingFee
	buyerShip := []float64{0, round(actual / 2), actual}[r.IntN(3)]
	rebate := actual - buyerShip
	set("actual_shipping_fee", actual)
	set("estimated_shipping_fee", o.EstimatedShippingFee)
	set("buyer_paid_shipping_fee", buyerShip)
	set("shopee_shipping_rebate", rebate)
	set("final_shipping_fee", buyerShip-actual+rebate)
	set("commission_fee", round(cogs*0.04))
	set("service_fee", round(cogs*0.03))
	txn := round((cogs + buyerShip) * 0.025)
	set("seller_transaction_fee", txn)
	set("credit_card_transaction_fee", txn) // buyer_transaction_fee is 0
	if r.IntN(7) == 0 {
		set("order_ams_commission_fee", round(cogs*0.05))
	}
	if s.opts.Seed%2 == 1 { // a household seller: VAT and PIT withheld
		set("withholding_vat_tax", round(cogs*0.01))
		set("withholding_pit_tax", round(cogs*0.005))
	}
	// Now and then any other term of the identity: every field the
	// contract names can carry money, so every one is exercised.
	for _, t := range EscrowIdentity {
		if in[t.Field].(float64) == 0 && r.IntN(25) == 0 {
			v := float64(100 * (1 + r.IntN(50)))
			if t.Field == "seller_return_refund" {
				v = -v // a refund to the buyer is negative
			}
			set(t.Field, v)
		}
	}
	var escrow float64
	for _, t := range EscrowIdentity {
		escrow += float64(t.Sign) * in[t.Field].(float64)
	}
	set("escrow_amount", escrow)
	set("escrow_amount_after_adjustment", escrow)
	set("buyer_total_amount", cogs-vs-vsh-coins-in["shopee_discount"].(float64)+buyerShip)
	in["items"] = items
	in["seller_voucher_code"] = []string{}
	in["tax_registration_code"] = ""
	in["buyer_payment_method"] = o.PaymentMethod
	return map[string]any{
		"order_sn": o.OrderSN, "buyer_user_name": o.BuyerUsername, "return_order_sn_list": []string{}, "order_income": in,
		"buyer_payment_info": map[string]any{"buyer_payment_method": o.PaymentMethod, "buyer_total_amount": in["buyer_total_amount"],
			"merchant_subtotal": cogs, "shipping_fee": buyerShip, "seller_voucher": -vs, "shopee_voucher": -vsh, "shopee_coins_redeemed": -coins},
	}
}

// Escrows returns the escrow of every paid order as the simulator holds it
// now: released ones frozen (with their adjustment), open ones as the
// current estimate. The details are deep copies.
func (s *Server) Escrows() []Escrow {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Escrow
	for _, o := range s.orders {
		if e, ok := s.escrowOf(o); ok {
			out = append(out, e)
		}
	}
	return out
}

// escrowOf is the escrow of o (false: o has none). Called with s.mu held.
func (s *Server) escrowOf(o *Order) (Escrow, bool) {
	if !paid(o) {
		return Escrow{}, false
	}
	if st := s.fin[o.OrderSN]; st != nil && st.released {
		return Escrow{OrderSN: o.OrderSN, Released: true, ReleaseTime: st.releaseAt,
			PayoutAmount: st.income["escrow_amount"].(float64), Detail: deepCopy(st.detail)}, true
	}
	return Escrow{OrderSN: o.OrderSN, Detail: deepCopy(s.escrowDetail(o))}, true
}

func deepCopy(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

// Wallet returns the wallet transactions so far, in time order.
func (s *Server) Wallet() []WalletTxn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]WalletTxn(nil), s.wallet...)
}

// WithholdEscrow makes get_escrow_detail_batch leave out these orders.
func (s *Server) WithholdEscrow(sns ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sn := range sns {
		s.escrowWithheld[sn] = true
	}
}

// intParam reads an integer query parameter: def when absent, ok false when
// it is not an integer.
func intParam(q map[string][]string, name string, def int64) (int64, bool) {
	v, present := q[name]
	if !present || len(v) == 0 || v[0] == "" {
		return def, true
	}
	n, err := strconv.ParseInt(v[0], 10, 64)
	return n, err == nil
}

// escrowList serves get_escrow_list: released escrows whose release time is
// in [release_time_from, release_time_to] (both required, at most 15 days
// apart: the simulator is strict to the window the client chose, the
// contract documents none), by release time then order_sn, page_no from 1,
// page_size 1..100 (default 40).
func (s *Server) escrowList(r *http.Request) (any, []string, *apiError) {
	q := r.URL.Query()
	if q.Get("release_time_from") == "" || q.Get("release_time_to") == "" {
		return nil, nil, &apiError{400, "error_param", "release_time_from and release_time_to are required."}
	}
	from, ok1 := intParam(q, "release_time_from", 0)
	to, ok2 := intParam(q, "release_time_to", 0)
	if !ok1 || !ok2 {
		return nil, nil, &apiError{400, "error_param", "Invalid type. Expected: integer"}
	}
	if to < from || to-from > 15*day {
		return nil, nil, &apiError{400, "error_param", "release_time_to must not be earlier than release_time_from, and at most 15 days after it."}
	}
	size, ok := intParam(q, "page_size", 40)
	if !ok || size < 1 || size > 100 {
		return nil, nil, &apiError{400, "error_param", "page_size should be 1-100."}
	}
	no, ok := intParam(q, "page_no", 1)
	if !ok || no < 1 {
		return nil, nil, &apiError{400, "error_param", "page_no should be at least 1."}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	type row struct {
		sn     string
		at     int64
		amount float64
	}
	var rows []row
	for sn, st := range s.fin {
		if st.released && st.releaseAt >= from && st.releaseAt <= to {
			rows = append(rows, row{sn, st.releaseAt, st.income["escrow_amount"].(float64)})
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].at != rows[j].at {
			return rows[i].at < rows[j].at
		}
		return rows[i].sn < rows[j].sn
	})
	start := min((no-1)*size, int64(len(rows)))
	end := min(start+size, int64(len(rows)))
	list := []map[string]any{}
	for _, x := range rows[start:end] {
		list = append(list, map[string]any{"order_sn": x.sn, "payout_amount": x.amount, "escrow_release_time": x.at})
	}
	return map[string]any{"escrow_list": list, "more": end < int64(len(rows))}, nil, nil
}

// escrowDetailBatch serves get_escrow_detail_batch: a POST whose JSON body
// is {"order_sn_list": [1..50 strings]}; orders without an escrow (unpaid,
// cancelled, unknown) are left out of the answer.
func (s *Server) escrowDetailBatch(r *http.Request) (any, []string, *apiError) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, nil, &apiError{400, "error_param", "cannot read the body."}
	}
	var req struct {
		List *[]string `json:"order_sn_list"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.List == nil || len(*req.List) == 0 {
		return nil, nil, &apiError{400, "error_param", "order_sn_list is required, format should be string[]"}
	}
	if len(*req.List) > 50 {
		return nil, nil, &apiError{400, "exceed_max_limit", "max limit of 50 orders"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for _, sn := range *req.List {
		if s.escrowWithheld[sn] {
			s.hostile["escrow_withheld"]++
			continue
		}
		o, ok := s.bySN[sn]
		if !ok {
			continue
		}
		if e, ok := s.escrowOf(o); ok {
			out = append(out, map[string]any{"escrow_detail": e.Detail})
		}
	}
	return out, nil, nil
}

// walletTxnList serves get_wallet_transaction_list: transactions whose
// create_time is in [create_time_from, create_time_to] (optional, at most
// 15 days apart), oldest first, page_no a 0-based page index (the
// contract's INFERRED reading), page_size 1..100, both required.
func (s *Server) walletTxnList(r *http.Request) (any, []string, *apiError) {
	q := r.URL.Query()
	if q.Get("page_no") == "" || q.Get("page_size") == "" {
		return nil, nil, &apiError{400, "error_param", "page_no and page_size are required."}
	}
	no, ok1 := intParam(q, "page_no", 0)
	size, ok2 := intParam(q, "page_size", 40)
	if !ok1 || !ok2 || no < 0 || size < 1 || size > 100 {
		return nil, nil, &apiError{400, "error_param", "page_no must be >= 0 and page_size 1-100."}
	}
	from, ok1 := intParam(q, "create_time_from", 0)
	to, ok2 := intParam(q, "create_time_to", 1<<62)
	if !ok1 || !ok2 {
		return nil, nil, &apiError{400, "error_param", "Invalid type. Expected: integer"}
	}
	if from > to {
		return nil, nil, &apiError{400, "time_invalid", "create_time_from is later than create_time_to."}
	}
	if to-from > 15*day {
		return nil, nil, &apiError{400, "time_period_too_large", "The time period should be within 15 days."}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var rows []WalletTxn
	for _, t := range s.wallet {
		if t.CreateTime >= from && t.CreateTime <= to {
			rows = append(rows, t)
		}
	}
	start := min(no*size, int64(len(rows)))
	end := min(start+size, int64(len(rows)))
	list := append([]WalletTxn{}, rows[start:end]...)
	return map[string]any{"transaction_list": list, "more": end < int64(len(rows))}, nil, nil
}

// String describes an escrow for test failures.
func (e Escrow) String() string {
	return fmt.Sprintf("escrow %s released=%v at %d payout %v", e.OrderSN, e.Released, e.ReleaseTime, e.PayoutAmount)
}
