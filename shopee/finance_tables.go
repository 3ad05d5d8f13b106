package shopee

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/facolos/etl/connector"
)

// fcol is a column of a finance table and the JSON key it reads ("" for
// the columns the transformer fills itself).
type fcol struct {
	col connector.Column
	key string
}

func fstr(name string, length int) fcol {
	return fcol{connector.Column{Name: name, Type: connector.String, Length: length, Nullable: true}, name}
}
func fint(name string) fcol {
	return fcol{connector.Column{Name: name, Type: connector.Int, Nullable: true}, name}
}
func fmoney(name string) fcol {
	return fcol{connector.Column{Name: name, Type: connector.Decimal, Precision: 18, Scale: 4, Nullable: true}, name}
}
func fbool(name string) fcol {
	return fcol{connector.Column{Name: name, Type: connector.Bool, Nullable: true}, name}
}
func fts(name string) fcol {
	return fcol{connector.Column{Name: name, Type: connector.Timestamp, Nullable: true}, name}
}
func fjson(name string) fcol {
	return fcol{connector.Column{Name: name, Type: connector.JSON, Nullable: true}, name}
}

// own marks a column the transformer fills (no JSON key).
func own(f fcol) fcol { f.key = ""; return f }

// fkey makes a column a non-nullable key column filled by the transformer.
func fkey(f fcol) fcol { f.col.Nullable = false; f.key = ""; return f }

type finTable struct {
	*connector.Table
	cols []fcol
}

func newFinTable(name string, pk []string, parent bool, version string, cols ...fcol) *finTable {
	for _, f := range etlFields {
		cols = append(cols, fcol{col: f.col})
	}
	t := &connector.Table{Schema: "staging", Name: name, PrimaryKey: pk, Version: version}
	if parent {
		t.Parent, t.ParentKey = "staging."+incomeTable, []string{"shop_id", "order_sn"}
	}
	for _, c := range cols {
		t.Columns = append(t.Columns, c.col)
	}
	if err := t.Validate(); err != nil {
		panic(err)
	}
	return &finTable{Table: t, cols: cols}
}

const incomeTable = "shopee_order_income"

var (
	finShop = fkey(fint("shop_id"))
	finSN   = fkey(fstr("order_sn", 50))
)

// incomeMoney are the order_income scalar money columns: every scalar
// money field of the contract (a VN local shop sees the region-only ones
// as 0 or not at all).
var incomeMoney = []string{
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

var (
	tIncome = func() *finTable {
		cols := []fcol{finShop, finSN, own(fbool("is_released")), own(fts("income_version_time")),
			own(fstr("buyer_user_name", 100)), own(fjson("return_order_sn_list")),
			fstr("buyer_payment_method", 100), fstr("tax_registration_code", 50), fjson("seller_voucher_code"),
			fstr("instalment_plan", 100), fstr("pri_currency", 10), fstr("aff_currency", 10)}
		for _, m := range incomeMoney {
			cols = append(cols, fmoney(m))
		}
		cols = append(cols, own(fjson("buyer_payment_info")), own(fjson("raw_json")))
		return newFinTable(incomeTable, []string{"shop_id", "order_sn"}, false, "income_version_time", cols...)
	}()

	tIncomeItems = newFinTable("shopee_order_income_items", []string{"shop_id", "order_sn", "item_index"}, true, "",
		finShop, finSN, fkey(fint("item_index")), fint("line_item_id"), fint("item_id"), fstr("item_name", 500), fstr("item_sku", 100),
		fint("model_id"), fstr("model_name", 500), fstr("model_sku", 100), fmoney("original_price"), fmoney("selling_price"),
		fmoney("discounted_price"), fmoney("seller_discount"), fmoney("shopee_discount"), fmoney("discount_from_coin"),
		fmoney("discount_from_voucher_shopee"), fmoney("discount_from_voucher_seller"), fstr("activity_type", 50),
		fcol{connector.Column{Name: "activity_id", Type: connector.Decimal, Precision: 20, Scale: 0, Nullable: true}, "activity_id"},
		fbool("is_main_item"), fint("quantity_purchased"), fbool("is_b2c_shop_item"), fmoney("ams_commission_fee"), fjson("promotion_list"))

	tAdjustments = newFinTable("shopee_order_adjustments", []string{"shop_id", "order_sn", "adjustment_index"}, true, "",
		finShop, finSN, fkey(fint("adjustment_index")), fmoney("amount"), fts("date"), fstr("currency", 10), fstr("adjustment_reason", 500))

	tReleases = newFinTable("shopee_escrow_releases", []string{"shop_id", "order_sn"}, false, "",
		finShop, finSN, fmoney("payout_amount"), fts("escrow_release_time"), own(fjson("raw_json")))

	tWallet = newFinTable("shopee_wallet_transactions", []string{"shop_id", "transaction_key"}, false, "",
		finShop, fkey(fstr("transaction_key", 100)), fint("transaction_id"), fstr("status", 20), fstr("transaction_type", 100),
		fmoney("amount"), fmoney("current_balance"), fts("create_time"), fstr("order_sn", 50), fstr("refund_sn", 50),
		fstr("withdrawal_type", 50), fmoney("transaction_fee"), fstr("description", 0), fstr("buyer_name", 100),
		fjson("pay_order_list"), fstr("shop_name", 200), fint("withdrawal_id"), fint("root_withdrawal_id"), fstr("reason", 0),
		fstr("transaction_tab_type", 100), fstr("money_flow", 20), fstr("txn_title", 200), fstr("outlet_shop_name", 200),
		own(fjson("raw_json")))

	finTables = []*finTable{tIncome, tIncomeItems, tAdjustments, tReleases, tWallet}
)

func init() {
	tIncome.Indexes = []connector.Index{{Name: "IX_shopee_order_income_version", Columns: []string{"income_version_time"}}}
	tWallet.Indexes = []connector.Index{{Name: "IX_shopee_wallet_transactions_create_time", Columns: []string{"create_time"}},
		{Name: "IX_shopee_wallet_transactions_order_sn", Columns: []string{"order_sn"}}}
}

// FinanceTables returns the finance staging tables: order income (its own
// version rule, see docs/shopee.md), its items and adjustments (children
// of the income row), escrow releases and wallet transactions.
func FinanceTables() []*connector.Table {
	out := make([]*connector.Table, len(finTables))
	for i, t := range finTables {
		out[i] = t.Table
	}
	return out
}

// jsonObject decodes an object keeping numbers as json.Number.
func jsonObject(raw json.RawMessage, what string) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if m == nil {
		return nil, fmt.Errorf("%s is not an object", what)
	}
	return m, nil
}

// cell converts the value of key in m for column c (nil: absent or null).
func cell(c connector.Column, v any, name string) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch c.Type {
	case connector.String:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("field %s: %T is not a string", name, v)
		}
		return s, nil
	case connector.Int:
		n, ok := v.(json.Number)
		if !ok {
			return nil, fmt.Errorf("field %s: %T is not a number", name, v)
		}
		i, err := strconv.ParseInt(n.String(), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("field %s: %s is not an integer", name, n)
		}
		return i, nil
	case connector.Decimal:
		n, ok := v.(json.Number)
		if !ok {
			return nil, fmt.Errorf("field %s: %T is not a number", name, v)
		}
		d, err := connector.ParseDec(n.String())
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", name, err)
		}
		if err := d.Fits(c.Precision, c.Scale); err != nil {
			return nil, fmt.Errorf("field %s: %w", name, err)
		}
		return d, nil
	case connector.Bool:
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("field %s: %T is not a boolean", name, v)
		}
		return b, nil
	case connector.Timestamp:
		n, ok := v.(json.Number)
		if !ok {
			return nil, fmt.Errorf("field %s: %T is not a number", name, v)
		}
		i, err := strconv.ParseInt(n.String(), 10, 64)
		if err != nil || i < 0 {
			return nil, fmt.Errorf("field %s: %s is not a unix time", name, n)
		}
		if i == 0 {
			return nil, nil
		}
		return time.Unix(i, 0).UTC(), nil
	case connector.JSON:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", name, err)
		}
		return connector.RawJSON(b), nil
	}
	return nil, fmt.Errorf("field %s: unsupported column type %s", name, c.Type)
}

// finRow makes a row of t from m; fill sets the columns without a key.
func finRow(t *finTable, m map[string]any, prefix, reqID string, fill map[string]any) ([]any, error) {
	row := make([]any, len(t.cols))
	for i, c := range t.cols {
		switch {
		case c.col.Name == "source_request_id":
			if reqID != "" {
				row[i] = reqID
			}
		case c.col.Name == "etl_source":
			row[i] = ETLSource
		case c.key != "":
			v, err := cell(c.col, m[c.key], prefix+c.key)
			if err != nil {
				return nil, err
			}
			row[i] = v
		default:
			if v, ok := fill[c.col.Name]; ok {
				row[i] = v
			}
		}
	}
	return row, nil
}

// isFinance reports whether rec comes from a finance stream.
func isFinance(rec connector.Record) bool {
	return rec.Stream == StreamEscrow || rec.Stream == StreamWallet || rec.Stream == StreamEstimates
}

// transformFinance makes the rows of a finance record of shop shopID.
func transformFinance(rec connector.Record, out connector.Output, shopID int64) error {
	if t := bytes.TrimSpace(rec.Data); len(t) > 0 && t[0] == '{' && bytes.Contains(rec.Data, []byte(`"escrow_detail"`)) {
		var ir incomeRecord
		if err := json.Unmarshal(rec.Data, &ir); err != nil {
			return fmt.Errorf("escrow of order %s: %w", rec.Key, err)
		}
		if len(ir.Detail) > 0 && !isNull(ir.Detail) {
			if err := transformIncome(rec, ir, out, shopID); err != nil {
				return fmt.Errorf("escrow of order %s: %w", rec.Key, err)
			}
			return nil
		}
	}
	if rec.Stream != StreamWallet {
		return fmt.Errorf("escrow of order %s: escrow_detail is missing", rec.Key)
	}
	m, err := jsonObject(rec.Data, "wallet transaction")
	if err != nil {
		return fmt.Errorf("wallet transaction %s: %w", rec.Key, err)
	}
	row, err := finRow(tWallet, m, "", rec.RequestID, map[string]any{"shop_id": shopID, "transaction_key": rec.Key,
		"raw_json": connector.RawJSON(rec.Data)})
	if err != nil {
		return fmt.Errorf("wallet transaction %s: %w", rec.Key, err)
	}
	out.Add(tWallet.Table, row)
	return nil
}

// transformIncome writes the income row, its items and adjustments, and
// the release row when the record carries one.
//
// Version rule: income_version_time is NULL for an estimate (an order not
// yet released) and, for a released order, the latest of its release
// time, its adjustments' dates and the wallet adjustment that made it be
// read again. A NULL never replaces a stored version, so an estimate never
// replaces a released figure; an adjustment is later than the release, so
// it replaces it; reading the same released order again is the same
// version (idempotent).
func transformIncome(rec connector.Record, ir incomeRecord, out connector.Output, shopID int64) error {
	det, err := jsonObject(ir.Detail, "escrow_detail")
	if err != nil {
		return err
	}
	sn, _ := det["order_sn"].(string)
	if sn == "" {
		return fmt.Errorf("field escrow_detail.order_sn is missing")
	}
	if ir.OrderSN != "" && sn != ir.OrderSN {
		return fmt.Errorf("field escrow_detail.order_sn is %s, asked for %s", sn, ir.OrderSN)
	}
	in, ok := det["order_income"].(map[string]any)
	if !ok {
		return fmt.Errorf("field escrow_detail.order_income is not an object")
	}
	if _, ok := in["escrow_amount"].(json.Number); !ok {
		return fmt.Errorf("field order_income.escrow_amount is missing or not a number")
	}
	var adjs []map[string]any
	if a, ok := in["order_adjustment"]; ok && a != nil {
		list, ok := a.([]any)
		if !ok {
			return fmt.Errorf("field order_income.order_adjustment is not an array")
		}
		for i, x := range list {
			o, ok := x.(map[string]any)
			if !ok {
				return fmt.Errorf("field order_income.order_adjustment[%d] is not an object", i)
			}
			adjs = append(adjs, o)
		}
	}
	var version any
	if ir.Released {
		v := max(ir.ReleaseTime, ir.AdjustedAt)
		for i, a := range adjs {
			d, err := cell(connector.Column{Type: connector.Int}, a["date"], fmt.Sprintf("order_income.order_adjustment[%d].date", i))
			if err != nil {
				return err
			}
			if d != nil {
				v = max(v, d.(int64))
			}
		}
		if v > 0 {
			version = time.Unix(v, 0).UTC()
		}
	}
	jsonOf := func(k string) any {
		if v, ok := det[k]; ok && v != nil {
			b, _ := json.Marshal(v)
			return connector.RawJSON(b)
		}
		return nil
	}
	fill := map[string]any{"shop_id": shopID, "order_sn": sn, "is_released": ir.Released, "income_version_time": version,
		"return_order_sn_list": jsonOf("return_order_sn_list"), "buyer_payment_info": jsonOf("buyer_payment_info"),
		"raw_json": connector.RawJSON(ir.Detail)}
	if u, ok := det["buyer_user_name"]; ok && u != nil {
		s, ok := u.(string)
		if !ok {
			return fmt.Errorf("field escrow_detail.buyer_user_name is not a string")
		}
		fill["buyer_user_name"] = s
	}
	row, err := finRow(tIncome, in, "order_income.", rec.RequestID, fill)
	if err != nil {
		return err
	}
	out.Add(tIncome.Table, row)
	if items, ok := in["items"]; ok && items != nil {
		list, ok := items.([]any)
		if !ok {
			return fmt.Errorf("field order_income.items is not an array")
		}
		for i, x := range list {
			o, ok := x.(map[string]any)
			if !ok {
				return fmt.Errorf("field order_income.items[%d] is not an object", i)
			}
			r, err := finRow(tIncomeItems, o, fmt.Sprintf("order_income.items[%d].", i), rec.RequestID,
				map[string]any{"shop_id": shopID, "order_sn": sn, "item_index": int64(i)})
			if err != nil {
				return err
			}
			out.Add(tIncomeItems.Table, r)
		}
	}
	for i, a := range adjs {
		r, err := finRow(tAdjustments, a, fmt.Sprintf("order_income.order_adjustment[%d].", i), rec.RequestID,
			map[string]any{"shop_id": shopID, "order_sn": sn, "adjustment_index": int64(i)})
		if err != nil {
			return err
		}
		out.Add(tAdjustments.Table, r)
	}
	if len(ir.Release) > 0 && !isNull(ir.Release) {
		m, err := jsonObject(ir.Release, "release")
		if err != nil {
			return err
		}
		r, err := finRow(tReleases, m, "escrow_list.", rec.RequestID, map[string]any{"shop_id": shopID, "order_sn": sn,
			"raw_json": connector.RawJSON(ir.Release)})
		if err != nil {
			return err
		}
		out.Add(tReleases.Table, r)
	}
	return nil
}
