IF OBJECT_ID(N'etl_control.view_parts', N'U') IS NULL CREATE TABLE [etl_control].[view_parts] (
	[view_name] NVARCHAR(200) NOT NULL,
	[part] NVARCHAR(200) NOT NULL,
	[columns_json] NVARCHAR(MAX) NOT NULL,
	[select_sql] NVARCHAR(MAX) NOT NULL,
	[updated_at] DATETIMEOFFSET(7) NOT NULL,
	PRIMARY KEY ([view_name], [part]));
DELETE FROM [etl_control].[view_parts] WHERE [view_name] = @p1 AND [part] = @p2;
INSERT INTO [etl_control].[view_parts] ([view_name], [part], [columns_json], [select_sql], [updated_at]) VALUES (@p1, @p2, @p3, @p4, SYSDATETIMEOFFSET());
DROP VIEW IF EXISTS [staging].[order_net_payout];
CREATE VIEW [staging].[order_net_payout] AS
SELECT CAST(p.[platform] AS NVARCHAR(16)) AS [platform], CAST(p.[shop_id] AS NVARCHAR(64)) AS [shop_id], CAST(p.[order_id] AS NVARCHAR(64)) AS [order_id], CAST(p.[order_time] AS DATETIMEOFFSET(7)) AS [order_time], CAST(p.[currency] AS NVARCHAR(8)) AS [currency], CAST(p.[buyer_paid] AS DECIMAL(18,4)) AS [buyer_paid], CAST(p.[commission_fee] AS DECIMAL(18,4)) AS [commission_fee], CAST(p.[service_fee] AS DECIMAL(18,4)) AS [service_fee], CAST(p.[transaction_fee] AS DECIMAL(18,4)) AS [transaction_fee], CAST(p.[other_fees] AS DECIMAL(18,4)) AS [other_fees], CAST(p.[shipping_net] AS DECIMAL(18,4)) AS [shipping_net], CAST(p.[voucher_seller] AS DECIMAL(18,4)) AS [voucher_seller], CAST(p.[voucher_platform] AS DECIMAL(18,4)) AS [voucher_platform], CAST(p.[adjustments] AS DECIMAL(18,4)) AS [adjustments], CAST(p.[net_payout] AS DECIMAL(18,4)) AS [net_payout], CAST(p.[payout_status] AS NVARCHAR(16)) AS [payout_status], CAST(p.[payout_time] AS DATETIMEOFFSET(7)) AS [payout_time] FROM (SELECT CAST('tiktok' AS NVARCHAR(4000)) AS platform,
  CAST(t.shop_id AS NVARCHAR(4000)) AS shop_id,
  CAST(t.related_order_id AS NVARCHAR(4000)) AS order_id,
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
  CAST(CASE WHEN MIN(COALESCE(s.payment_status_rank, 0)) = 3 THEN 'paid' ELSE 'settled' END AS NVARCHAR(4000)) AS payout_status,
  MAX(t.statement_time) AS payout_time
FROM [staging].[tiktok_statement_transactions] t
LEFT JOIN (SELECT shop_id, related_order_id, MIN(statement_time) AS first_time
  FROM [staging].[tiktok_statement_transactions]
  WHERE transaction_type = 'ORDER' AND related_order_id IS NOT NULL
  GROUP BY shop_id, related_order_id) f ON f.shop_id = t.shop_id AND f.related_order_id = t.related_order_id
LEFT JOIN (SELECT shop_id, transaction_id,
  SUM(CASE WHEN component_group = 'supplementary' AND code = 'customer_payment_amount' THEN amount ELSE 0 END) AS buyer_paid,
  SUM(CASE WHEN component_group = 'fee' AND code = 'platform_commission_amount' THEN amount ELSE 0 END) AS commission,
  SUM(CASE WHEN component_group = 'fee' AND code IN ('sfp_service_fee_amount', 'voucher_xtra_service_fee_amount', 'flash_sales_service_fee_amount', 'live_specials_fee_amount', 'bonus_cashback_service_fee_amount', 'cofunded_promotion_service_fee_amount', 'pre_order_service_fee_amount', 'mall_service_fee_amount', 'epr_pob_service_fee_amount', 'vn_fix_infrastructure_fee') THEN amount ELSE 0 END) AS service,
  SUM(CASE WHEN component_group = 'fee' AND code IN ('transaction_fee_amount', 'credit_card_handling_fee_amount', 'seller_paylater_handling_fee_amount') THEN amount ELSE 0 END) AS txn_fee,
  SUM(CASE WHEN component_group IN ('fee', 'tax') THEN amount ELSE 0 END) AS fee_tax,
  SUM(CASE WHEN component_group = 'revenue' AND code IN ('seller_discount_amount', 'seller_discount_refund_amount') THEN amount ELSE 0 END) AS seller_discount,
  SUM(CASE WHEN component_group = 'supplementary' AND code IN ('platform_discount_amount', 'platform_discount_refund_amount') THEN amount ELSE 0 END) AS platform_discount
  FROM [staging].[tiktok_transaction_components]
  GROUP BY shop_id, transaction_id) c ON c.shop_id = t.shop_id AND c.transaction_id = t.transaction_id
LEFT JOIN [staging].[tiktok_statements] s ON s.shop_id = t.shop_id AND s.statement_id = t.statement_id
LEFT JOIN (SELECT shop_id, order_id, MIN(create_time) AS create_time
  FROM [staging].[tiktok_shop_order_detail]
  GROUP BY shop_id, order_id) o ON o.shop_id = t.shop_id AND o.order_id = t.related_order_id
WHERE t.related_order_id IS NOT NULL
GROUP BY t.shop_id, t.related_order_id) p
