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
SELECT CAST(p.[platform] AS NVARCHAR(16)) AS [platform], CAST(p.[shop_id] AS NVARCHAR(64)) AS [shop_id], CAST(p.[order_id] AS NVARCHAR(64)) AS [order_id], CAST(p.[order_time] AS DATETIMEOFFSET(7)) AS [order_time], CAST(p.[currency] AS NVARCHAR(8)) AS [currency], CAST(p.[buyer_paid] AS DECIMAL(18,4)) AS [buyer_paid], CAST(p.[commission_fee] AS DECIMAL(18,4)) AS [commission_fee], CAST(p.[service_fee] AS DECIMAL(18,4)) AS [service_fee], CAST(p.[transaction_fee] AS DECIMAL(18,4)) AS [transaction_fee], CAST(p.[other_fees] AS DECIMAL(18,4)) AS [other_fees], CAST(p.[shipping_net] AS DECIMAL(18,4)) AS [shipping_net], CAST(p.[voucher_seller] AS DECIMAL(18,4)) AS [voucher_seller], CAST(p.[voucher_platform] AS DECIMAL(18,4)) AS [voucher_platform], CAST(p.[adjustments] AS DECIMAL(18,4)) AS [adjustments], CAST(p.[net_payout] AS DECIMAL(18,4)) AS [net_payout], CAST(p.[payout_status] AS NVARCHAR(16)) AS [payout_status], CAST(p.[payout_time] AS DATETIMEOFFSET(7)) AS [payout_time] FROM (SELECT 'lazada' AS platform, f.seller_id AS shop_id, CAST(f.order_no AS NVARCHAR(4000)) AS order_id,
  o.created_at AS order_time, f.currency AS currency,
  CAST(o.price - COALESCE(o.voucher, 0) + COALESCE(o.shipping_fee, 0) AS DECIMAL(18,4)) AS buyer_paid,
  f.commission_fee, f.service_fee, f.transaction_fee, f.other_fees, f.shipping_net, f.voucher_seller,
  CAST(o.voucher_platform AS DECIMAL(18,4)) AS voucher_platform, f.adjustments, f.net_payout,
  CASE WHEN f.unpaid_rows = 0 THEN 'paid' ELSE 'settled' END AS payout_status,
  CASE WHEN f.unpaid_rows = 0 THEN f.payout_time ELSE CAST(NULL AS DATETIMEOFFSET(7)) END AS payout_time
FROM (
  SELECT t.seller_id, t.order_no, MAX(t.currency) AS currency,
    CAST(SUM(CASE WHEN t.fee_kind = 'commission' THEN 0 - t.amount ELSE 0 END) AS DECIMAL(18,4)) AS commission_fee,
    CAST(SUM(CASE WHEN t.fee_kind = 'service' THEN 0 - t.amount ELSE 0 END) AS DECIMAL(18,4)) AS service_fee,
    CAST(SUM(CASE WHEN t.fee_kind = 'transaction' THEN 0 - t.amount ELSE 0 END) AS DECIMAL(18,4)) AS transaction_fee,
    CAST(SUM(CASE WHEN t.fee_kind = 'other' THEN 0 - t.amount ELSE 0 END) AS DECIMAL(18,4)) AS other_fees,
    CAST(SUM(CASE WHEN t.fee_kind = 'shipping' THEN t.amount ELSE 0 END) AS DECIMAL(18,4)) AS shipping_net,
    CAST(SUM(CASE WHEN t.fee_kind = 'voucher_seller' THEN 0 - t.amount ELSE 0 END) AS DECIMAL(18,4)) AS voucher_seller,
    CAST(SUM(CASE WHEN t.fee_kind = 'adjustment' THEN t.amount ELSE 0 END) AS DECIMAL(18,4)) AS adjustments,
    CAST(SUM(t.amount) AS DECIMAL(18,4)) AS net_payout,
    SUM(CASE WHEN t.is_paid = 1 THEN 0 ELSE 1 END) AS unpaid_rows,
    MAX(p.paid_at) AS payout_time
  FROM [staging].[lazada_transactions] t
  LEFT JOIN (
    SELECT seller_id, period_end, MAX(CASE WHEN paid = 1 THEN updated_at ELSE NULL END) AS paid_at
    FROM [staging].[lazada_payouts]
    GROUP BY seller_id, period_end
  ) p ON p.seller_id = t.seller_id AND p.period_end = t.statement_end
  WHERE t.order_no IS NOT NULL
  GROUP BY t.seller_id, t.order_no
) f
LEFT JOIN [staging].[lazada_orders] o ON o.seller_id = f.seller_id AND o.order_id = f.order_no) p
