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
SELECT CAST(p.[platform] AS NVARCHAR(16)) AS [platform], CAST(p.[shop_id] AS NVARCHAR(64)) AS [shop_id], CAST(p.[order_id] AS NVARCHAR(64)) AS [order_id], CAST(p.[order_time] AS DATETIMEOFFSET(7)) AS [order_time], CAST(p.[currency] AS NVARCHAR(8)) AS [currency], CAST(p.[buyer_paid] AS DECIMAL(18,4)) AS [buyer_paid], CAST(p.[commission_fee] AS DECIMAL(18,4)) AS [commission_fee], CAST(p.[service_fee] AS DECIMAL(18,4)) AS [service_fee], CAST(p.[transaction_fee] AS DECIMAL(18,4)) AS [transaction_fee], CAST(p.[other_fees] AS DECIMAL(18,4)) AS [other_fees], CAST(p.[shipping_net] AS DECIMAL(18,4)) AS [shipping_net], CAST(p.[voucher_seller] AS DECIMAL(18,4)) AS [voucher_seller], CAST(p.[voucher_platform] AS DECIMAL(18,4)) AS [voucher_platform], CAST(p.[adjustments] AS DECIMAL(18,4)) AS [adjustments], CAST(p.[net_payout] AS DECIMAL(18,4)) AS [net_payout], CAST(p.[payout_status] AS NVARCHAR(16)) AS [payout_status], CAST(p.[payout_time] AS DATETIMEOFFSET(7)) AS [payout_time] FROM (SELECT 'shopee' AS platform, CAST(i.shop_id AS NVARCHAR(4000)) AS shop_id, i.order_sn AS order_id,
	o.create_time AS order_time, COALESCE(o.currency, i.pri_currency) AS currency,
	i.buyer_total_amount AS buyer_paid,
	COALESCE(i.commission_fee, 0) AS commission_fee,
	COALESCE(i.service_fee, 0) AS service_fee,
	COALESCE(i.seller_transaction_fee, 0) AS transaction_fee,
	COALESCE(i.campaign_fee, 0) + COALESCE(i.order_ams_commission_fee, 0) + COALESCE(i.seller_order_processing_fee, 0) + COALESCE(i.ads_escrow_top_up_fee_or_technical_support_fee, 0) + COALESCE(i.fbs_fee, 0) + COALESCE(i.shipping_seller_protection_fee_amount, 0) + COALESCE(i.delivery_seller_protection_fee_premium_amount, 0) + COALESCE(i.overseas_return_service_fee, 0) + COALESCE(i.trade_in_bonus_by_seller, 0) + COALESCE(i.escrow_tax, 0) + COALESCE(i.withholding_tax, 0) + COALESCE(i.withholding_vat_tax, 0) + COALESCE(i.withholding_pit_tax, 0) + COALESCE(i.withholding_cit_tax, 0) + COALESCE(i.vat_on_imported_goods, 0) + COALESCE(i.final_escrow_product_gst, 0) + COALESCE(i.sales_tax_on_lvg, 0) + COALESCE(i.shipping_fee_sst, 0) + COALESCE(i.reverse_shipping_fee_sst, 0) + COALESCE(i.th_import_duty, 0) AS other_fees,
	COALESCE(i.buyer_paid_shipping_fee, 0) - COALESCE(i.actual_shipping_fee, 0) + COALESCE(i.shopee_shipping_rebate, 0) + COALESCE(i.shipping_fee_discount_from_3pl, 0) - COALESCE(i.reverse_shipping_fee, 0) - COALESCE(i.final_return_to_seller_shipping_fee, 0) + COALESCE(i.rsf_seller_protection_fee_claim_amount, 0) + COALESCE(i.fsf_seller_protection_fee_claim_amount, 0) AS shipping_net,
	COALESCE(i.voucher_from_seller, 0) + COALESCE(i.seller_coin_cash_back, 0) AS voucher_seller,
	COALESCE(i.voucher_from_shopee, 0) + COALESCE(i.coins, 0) AS voucher_platform,
	COALESCE(i.total_adjustment_amount, 0) AS adjustments,
	COALESCE(i.escrow_amount_after_adjustment, i.escrow_amount) AS net_payout,
	CASE WHEN i.is_released = 1 THEN 'settled' ELSE 'estimate' END AS payout_status,
	r.escrow_release_time AS payout_time
FROM [staging].[shopee_order_income] i
LEFT JOIN [staging].[shopee_escrow_releases] r ON r.shop_id = i.shop_id AND r.order_sn = i.order_sn
LEFT JOIN [staging].[shopee_orders] o ON o.order_sn = i.order_sn) p
