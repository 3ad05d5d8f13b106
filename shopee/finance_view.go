package shopee

import (
	"strings"

	"github.com/facolos/etl/connector"
)

// The Shopee part of staging.order_net_payout, from shopee_order_income
// (one row per order with an escrow), its release and the order. Fees are
// the order_income amounts (positive, deducted from the escrow); the terms
// of the contract's escrow_amount identity are grouped so that
//
//	escrow_amount = buyer-side income − commission_fee − service_fee
//	                − transaction_fee − other_fees + shipping_net − voucher_seller
//
// where the buyer-side income is the goods after the platform's discounts
// and the seller's return refunds; net_payout is
// escrow_amount_after_adjustment (escrow_amount plus adjustments).
var (
	// payoutOtherFees are the identity's deductions besides commission,
	// service and transaction fees: campaign and affiliate fees, service
	// charges, protection premiums and the taxes withheld.
	payoutOtherFees = []string{
		"campaign_fee", "order_ams_commission_fee", "seller_order_processing_fee",
		"ads_escrow_top_up_fee_or_technical_support_fee", "fbs_fee", "shipping_seller_protection_fee_amount",
		"delivery_seller_protection_fee_premium_amount", "overseas_return_service_fee", "trade_in_bonus_by_seller",
		"escrow_tax", "withholding_tax", "withholding_vat_tax", "withholding_pit_tax", "withholding_cit_tax",
		"vat_on_imported_goods", "final_escrow_product_gst", "sales_tax_on_lvg", "shipping_fee_sst",
		"reverse_shipping_fee_sst", "th_import_duty",
	}
	// payoutShipping are the identity's shipping terms with their signs.
	payoutShipping = []string{
		"+buyer_paid_shipping_fee", "-actual_shipping_fee", "+shopee_shipping_rebate", "+shipping_fee_discount_from_3pl",
		"-reverse_shipping_fee", "-final_return_to_seller_shipping_fee", "+rsf_seller_protection_fee_claim_amount",
		"+fsf_seller_protection_fee_claim_amount",
	}
)

// sumOf is the SQL sum of the income columns, each signed by a leading + or
// - (none: +), NULL counted as 0.
func sumOf(cols ...string) string {
	var sb strings.Builder
	for i, c := range cols {
		sign := "+"
		if c[0] == '+' || c[0] == '-' {
			sign, c = c[:1], c[1:]
		}
		if i > 0 || sign == "-" {
			sb.WriteString(" " + sign + " ")
		}
		sb.WriteString("COALESCE(i." + c + ", 0)")
	}
	return sb.String()
}

var netPayoutSQL = `SELECT 'shopee' AS platform, CAST(i.shop_id AS {text}) AS shop_id, i.order_sn AS order_id,
	o.create_time AS order_time, COALESCE(o.currency, i.pri_currency) AS currency,
	i.buyer_total_amount AS buyer_paid,
	COALESCE(i.commission_fee, 0) AS commission_fee,
	COALESCE(i.service_fee, 0) AS service_fee,
	COALESCE(i.seller_transaction_fee, 0) AS transaction_fee,
	` + sumOf(payoutOtherFees...) + ` AS other_fees,
	` + sumOf(payoutShipping...) + ` AS shipping_net,
	` + sumOf("voucher_from_seller", "seller_coin_cash_back") + ` AS voucher_seller,
	` + sumOf("voucher_from_shopee", "coins") + ` AS voucher_platform,
	COALESCE(i.total_adjustment_amount, 0) AS adjustments,
	COALESCE(i.escrow_amount_after_adjustment, i.escrow_amount) AS net_payout,
	CASE WHEN i.is_released = {true} THEN 'settled' ELSE 'estimate' END AS payout_status,
	r.escrow_release_time AS payout_time
FROM {staging.shopee_order_income} i
LEFT JOIN {staging.shopee_escrow_releases} r ON r.shop_id = i.shop_id AND r.order_sn = i.order_sn
LEFT JOIN {staging.shopee_orders} o ON o.order_sn = i.order_sn`

func codes(cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		if c[0] == '+' || c[0] == '-' {
			out[i] = c[:1] + " `" + c[1:] + "`"
		} else {
			out[i] = "`" + c + "`"
		}
	}
	return strings.Join(out, ", ")
}

var netPayoutDoc = map[string]string{
	"shop_id":          "`shopee_order_income.shop_id`",
	"order_id":         "`order_sn`",
	"order_time":       "`shopee_orders.create_time`",
	"currency":         "`shopee_orders.currency`, else the income's `pri_currency`",
	"buyer_paid":       "`buyer_total_amount`",
	"commission_fee":   "`commission_fee`",
	"service_fee":      "`service_fee`",
	"transaction_fee":  "`seller_transaction_fee`",
	"other_fees":       "the sum of " + codes(payoutOtherFees),
	"shipping_net":     "the sum of " + codes(payoutShipping),
	"voucher_seller":   "`voucher_from_seller` + `seller_coin_cash_back`",
	"voucher_platform": "`voucher_from_shopee` + `coins`",
	"adjustments":      "`total_adjustment_amount`",
	"net_payout":       "`escrow_amount_after_adjustment` (else `escrow_amount`)",
	"payout_status":    "`settled` when `is_released`, else `estimate`",
	"payout_time":      "`shopee_escrow_releases.escrow_release_time`",
}

// Views implements connector.ViewTransformer: the Shopee part of
// staging.order_net_payout (docs/warehouse.md), one row per order with an
// escrow.
func (Transformer) Views() []connector.ViewPart {
	return []connector.ViewPart{{View: connector.NetPayoutView, Part: "shopee", Columns: connector.NetPayoutColumns, SQL: netPayoutSQL, Doc: netPayoutDoc}}
}
