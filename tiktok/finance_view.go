package tiktok

import (
	"strings"

	"github.com/facolos/etl/connector"
)

// Fee codes of fee_tax_breakdown.fee that the net payout view counts as
// service fees and as transaction fees; platform_commission_amount is the
// commission; every other fee or tax code (a code new to this list
// included) counts as other fees.
var (
	ServiceFeeCodes = []string{"sfp_service_fee_amount", "voucher_xtra_service_fee_amount", "flash_sales_service_fee_amount",
		"live_specials_fee_amount", "bonus_cashback_service_fee_amount", "cofunded_promotion_service_fee_amount",
		"pre_order_service_fee_amount", "mall_service_fee_amount", "epr_pob_service_fee_amount", "vn_fix_infrastructure_fee"}
	TransactionFeeCodes = []string{"transaction_fee_amount", "credit_card_handling_fee_amount", "seller_paylater_handling_fee_amount"}
)

func sqlList(codes []string) string {
	q := make([]string, len(codes))
	for i, c := range codes {
		q[i] = "'" + c + "'"
	}
	return strings.Join(q, ", ")
}

// netPayoutSQL is the TikTok Shop part of staging.order_net_payout: one
// row per order that has statement transactions (its ORDER transactions
// and the adjustments naming it), aggregated over all of them. An order's
// base is its ORDER transactions of its first statement; the breakdown
// columns come from the base's components, adjustments are every other
// transaction's settlement (adjustments, refunds in later statements), so
// net_payout = settlement of the base + adjustments.
var netPayoutSQL = `SELECT CAST('tiktok' AS {text}) AS platform,
  CAST(t.shop_id AS {text}) AS shop_id,
  CAST(t.related_order_id AS {text}) AS order_id,
  MAX(o.create_time) AS order_time,
  MAX(t.currency) AS currency,
  CAST(SUM(CASE WHEN t.statement_time = f.first_time AND t.transaction_type = 'ORDER' THEN COALESCE(c.buyer_paid, 0) ELSE 0 END) AS DECIMAL(18,4)) AS buyer_paid,
  CAST(-SUM(CASE WHEN t.statement_time = f.first_time AND t.transaction_type = 'ORDER' THEN COALESCE(c.commission, 0) ELSE 0 END) AS DECIMAL(18,4)) AS commission_fee,
  CAST(-SUM(CASE WHEN t.statement_time = f.first_time AND t.transaction_type = 'ORDER' THEN COALESCE(c.service, 0) ELSE 0 END) AS DECIMAL(18,4)) AS service_fee,
  CAST(-SUM(CASE WHEN t.statement_time = f.first_time AND t.transaction_type = 'ORDER' THEN COALESCE(c.txn_fee, 0) ELSE 0 END) AS DECIMAL(18,4)) AS transaction_fee,
  CAST(-SUM(CASE WHEN t.statement_time = f.first_time AND t.transaction_type = 'ORDER' THEN COALESCE(c.fee_tax, 0) - COALESCE(c.commission, 0) - COALESCE(c.service, 0) - COALESCE(c.txn_fee, 0) ELSE 0 END) AS DECIMAL(18,4)) AS other_fees,
  CAST(SUM(CASE WHEN t.statement_time = f.first_time AND t.transaction_type = 'ORDER' THEN COALESCE(t.shipping_cost_amount, 0) ELSE 0 END) AS DECIMAL(18,4)) AS shipping_net,
  CAST(-SUM(CASE WHEN t.statement_time = f.first_time AND t.transaction_type = 'ORDER' THEN COALESCE(c.seller_discount, 0) ELSE 0 END) AS DECIMAL(18,4)) AS voucher_seller,
  CAST(SUM(CASE WHEN t.statement_time = f.first_time AND t.transaction_type = 'ORDER' THEN COALESCE(c.platform_discount, 0) ELSE 0 END) AS DECIMAL(18,4)) AS voucher_platform,
  CAST(SUM(CASE WHEN t.statement_time = f.first_time AND t.transaction_type = 'ORDER' THEN 0 ELSE t.settlement_amount END) AS DECIMAL(18,4)) AS adjustments,
  CAST(SUM(t.settlement_amount) AS DECIMAL(18,4)) AS net_payout,
  CAST(CASE WHEN MIN(COALESCE(s.payment_status_rank, 0)) = 3 THEN 'paid' ELSE 'settled' END AS {text}) AS payout_status,
  MAX(t.statement_time) AS payout_time
FROM {staging.tiktok_statement_transactions} t
LEFT JOIN (SELECT shop_id, related_order_id, MIN(statement_time) AS first_time
  FROM {staging.tiktok_statement_transactions}
  WHERE transaction_type = 'ORDER' AND related_order_id IS NOT NULL
  GROUP BY shop_id, related_order_id) f ON f.shop_id = t.shop_id AND f.related_order_id = t.related_order_id
LEFT JOIN (SELECT shop_id, transaction_id,
  SUM(CASE WHEN component_group = 'supplementary' AND code = 'customer_payment_amount' THEN amount ELSE 0 END) AS buyer_paid,
  SUM(CASE WHEN component_group = 'fee' AND code = 'platform_commission_amount' THEN amount ELSE 0 END) AS commission,
  SUM(CASE WHEN component_group = 'fee' AND code IN (` + sqlList(ServiceFeeCodes) + `) THEN amount ELSE 0 END) AS service,
  SUM(CASE WHEN component_group = 'fee' AND code IN (` + sqlList(TransactionFeeCodes) + `) THEN amount ELSE 0 END) AS txn_fee,
  SUM(CASE WHEN component_group IN ('fee', 'tax') THEN amount ELSE 0 END) AS fee_tax,
  SUM(CASE WHEN component_group = 'revenue' AND code IN ('seller_discount_amount', 'seller_discount_refund_amount') THEN amount ELSE 0 END) AS seller_discount,
  SUM(CASE WHEN component_group = 'supplementary' AND code IN ('platform_discount_amount', 'platform_discount_refund_amount') THEN amount ELSE 0 END) AS platform_discount
  FROM {staging.tiktok_transaction_components}
  GROUP BY shop_id, transaction_id) c ON c.shop_id = t.shop_id AND c.transaction_id = t.transaction_id
LEFT JOIN {staging.tiktok_statements} s ON s.shop_id = t.shop_id AND s.statement_id = t.statement_id
LEFT JOIN (SELECT shop_id, order_id, MIN(create_time) AS create_time
  FROM {staging.tiktok_shop_order_detail}
  GROUP BY shop_id, order_id) o ON o.shop_id = t.shop_id AND o.order_id = t.related_order_id
WHERE t.related_order_id IS NOT NULL
GROUP BY t.shop_id, t.related_order_id`

// NetPayoutPart is the TikTok Shop part of connector.NetPayoutView. The
// columns (see connector.NetPayoutColumns) are, per order, over the
// transactions whose related_order_id is the order: order_time the
// order's create_time from staging.tiktok_shop_order_detail (NULL when
// the order is not loaded); buyer_paid the customer_payment_amount of the
// base (the order's ORDER transactions of its first statement);
// commission_fee, service_fee (ServiceFeeCodes), transaction_fee
// (TransactionFeeCodes) and other_fees (every other fee and tax code) the
// base's fee and tax components, negated (a fee charged is positive);
// shipping_net the base's shipping_cost_amount (signed); voucher_seller the
// base's seller discounts, negated; voucher_platform the base's platform
// discounts; adjustments the settlement of every other transaction
// (adjustments naming the order, refunds in later statements); net_payout
// the sum of all their settlement_amount; payout_status "paid" when every
// statement they are in is PAID, else "settled" (statement transactions are
// never estimates); payout_time the latest of their statement times.
func NetPayoutPart() connector.ViewPart {
	return connector.ViewPart{View: connector.NetPayoutView, Part: "tiktok", Columns: connector.NetPayoutColumns, SQL: netPayoutSQL,
		Doc: netPayoutDoc}
}

func codeList(codes []string) string { return "`" + strings.Join(codes, "`, `") + "`" }

// base names the transactions the breakdown columns come from.
const base = " of the order's ORDER transactions in its first statement"

var netPayoutDoc = map[string]string{
	"shop_id":          "`tiktok_statement_transactions.shop_id`",
	"order_id":         "`related_order_id`: `order_id` of ORDER transactions, `adjustment_order_id` of adjustments",
	"order_time":       "`tiktok_shop_order_detail.create_time`",
	"currency":         "the statement's `currency`",
	"buyer_paid":       "`supplementary.customer_payment_amount`" + base,
	"commission_fee":   "− `fee.platform_commission_amount`" + base,
	"service_fee":      "− the sum of `fee` codes " + codeList(ServiceFeeCodes) + base,
	"transaction_fee":  "− the sum of `fee` codes " + codeList(TransactionFeeCodes) + base,
	"other_fees":       "− the sum of every other `fee` and every `tax` code" + base + " (new codes land here)",
	"shipping_net":     "`shipping_cost_amount`" + base,
	"voucher_seller":   "− (`revenue.seller_discount_amount` + `revenue.seller_discount_refund_amount`)" + base,
	"voucher_platform": "`supplementary.platform_discount_amount` + `supplementary.platform_discount_refund_amount`" + base,
	"adjustments":      "`settlement_amount` of the order's other transactions: adjustments naming it, refunds in later statements",
	"net_payout":       "the sum of `settlement_amount` of all the order's transactions",
	"payout_status":    "`paid` when every statement of its transactions is PAID (for a VN shop the platform pays into the seller's TikTok balance; bank transfers are `tiktok_withdrawals`), else `settled`",
	"payout_time":      "the latest `statement_time` of its transactions",
}

// Views implements connector.ViewTransformer: the TikTok Shop part of
// staging.order_net_payout.
func (Transformer) Views() []connector.ViewPart { return []connector.ViewPart{NetPayoutPart()} }
