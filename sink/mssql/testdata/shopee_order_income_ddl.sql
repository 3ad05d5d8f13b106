IF OBJECT_ID(N'staging.shopee_order_income', N'U') IS NULL
CREATE TABLE [staging].[shopee_order_income] (
	[shop_id] BIGINT NOT NULL,
	[order_sn] NVARCHAR(50) NOT NULL,
	[is_released] BIT NULL,
	[income_version_time] DATETIMEOFFSET(7) NULL,
	[buyer_user_name] NVARCHAR(100) NULL,
	[return_order_sn_list] NVARCHAR(MAX) NULL,
	[buyer_payment_method] NVARCHAR(100) NULL,
	[tax_registration_code] NVARCHAR(50) NULL,
	[seller_voucher_code] NVARCHAR(MAX) NULL,
	[instalment_plan] NVARCHAR(100) NULL,
	[pri_currency] NVARCHAR(10) NULL,
	[aff_currency] NVARCHAR(10) NULL,
	[escrow_amount] DECIMAL(18,4) NULL,
	[escrow_amount_after_adjustment] DECIMAL(18,4) NULL,
	[total_adjustment_amount] DECIMAL(18,4) NULL,
	[buyer_total_amount] DECIMAL(18,4) NULL,
	[cost_of_goods_sold] DECIMAL(18,4) NULL,
	[original_cost_of_goods_sold] DECIMAL(18,4) NULL,
	[order_original_price] DECIMAL(18,4) NULL,
	[original_price] DECIMAL(18,4) NULL,
	[order_selling_price] DECIMAL(18,4) NULL,
	[order_discounted_price] DECIMAL(18,4) NULL,
	[order_seller_discount] DECIMAL(18,4) NULL,
	[seller_discount] DECIMAL(18,4) NULL,
	[shopee_discount] DECIMAL(18,4) NULL,
	[original_shopee_discount] DECIMAL(18,4) NULL,
	[voucher_from_seller] DECIMAL(18,4) NULL,
	[voucher_from_shopee] DECIMAL(18,4) NULL,
	[voucher_from_external_party] DECIMAL(18,4) NULL,
	[coins] DECIMAL(18,4) NULL,
	[seller_coin_cash_back] DECIMAL(18,4) NULL,
	[payment_promotion] DECIMAL(18,4) NULL,
	[credit_card_promotion] DECIMAL(18,4) NULL,
	[prorated_coins_value_offset_return_items] DECIMAL(18,4) NULL,
	[prorated_shopee_voucher_offset_return_items] DECIMAL(18,4) NULL,
	[prorated_seller_voucher_offset_return_items] DECIMAL(18,4) NULL,
	[prorated_payment_channel_promo_bank_offset_return_items] DECIMAL(18,4) NULL,
	[prorated_payment_channel_promo_shopee_offset_return_items] DECIMAL(18,4) NULL,
	[commission_fee] DECIMAL(18,4) NULL,
	[service_fee] DECIMAL(18,4) NULL,
	[seller_transaction_fee] DECIMAL(18,4) NULL,
	[buyer_transaction_fee] DECIMAL(18,4) NULL,
	[credit_card_transaction_fee] DECIMAL(18,4) NULL,
	[order_ams_commission_fee] DECIMAL(18,4) NULL,
	[campaign_fee] DECIMAL(18,4) NULL,
	[seller_order_processing_fee] DECIMAL(18,4) NULL,
	[ads_escrow_top_up_fee_or_technical_support_fee] DECIMAL(18,4) NULL,
	[shipping_seller_protection_fee_amount] DECIMAL(18,4) NULL,
	[delivery_seller_protection_fee_premium_amount] DECIMAL(18,4) NULL,
	[fbs_fee] DECIMAL(18,4) NULL,
	[buyer_paid_shipping_fee] DECIMAL(18,4) NULL,
	[actual_shipping_fee] DECIMAL(18,4) NULL,
	[estimated_shipping_fee] DECIMAL(18,4) NULL,
	[shopee_shipping_rebate] DECIMAL(18,4) NULL,
	[shipping_fee_discount_from_3pl] DECIMAL(18,4) NULL,
	[seller_shipping_discount] DECIMAL(18,4) NULL,
	[final_shipping_fee] DECIMAL(18,4) NULL,
	[reverse_shipping_fee] DECIMAL(18,4) NULL,
	[final_return_to_seller_shipping_fee] DECIMAL(18,4) NULL,
	[rsf_seller_protection_fee_claim_amount] DECIMAL(18,4) NULL,
	[fsf_seller_protection_fee_claim_amount] DECIMAL(18,4) NULL,
	[seller_lost_compensation] DECIMAL(18,4) NULL,
	[seller_return_refund] DECIMAL(18,4) NULL,
	[drc_adjustable_refund] DECIMAL(18,4) NULL,
	[withholding_vat_tax] DECIMAL(18,4) NULL,
	[withholding_pit_tax] DECIMAL(18,4) NULL,
	[withholding_cit_tax] DECIMAL(18,4) NULL,
	[vat_on_imported_goods] DECIMAL(18,4) NULL,
	[escrow_tax] DECIMAL(18,4) NULL,
	[final_product_vat_tax] DECIMAL(18,4) NULL,
	[final_shipping_vat_tax] DECIMAL(18,4) NULL,
	[final_escrow_product_gst] DECIMAL(18,4) NULL,
	[final_escrow_shipping_gst] DECIMAL(18,4) NULL,
	[sales_tax_on_lvg] DECIMAL(18,4) NULL,
	[shipping_fee_sst] DECIMAL(18,4) NULL,
	[reverse_shipping_fee_sst] DECIMAL(18,4) NULL,
	[withholding_tax] DECIMAL(18,4) NULL,
	[th_import_duty] DECIMAL(18,4) NULL,
	[cross_border_tax] DECIMAL(18,4) NULL,
	[overseas_return_service_fee] DECIMAL(18,4) NULL,
	[buyer_paid_packaging_fee] DECIMAL(18,4) NULL,
	[trade_in_bonus_by_seller] DECIMAL(18,4) NULL,
	[final_product_protection] DECIMAL(18,4) NULL,
	[buyer_payment_info] NVARCHAR(MAX) NULL,
	[raw_json] NVARCHAR(MAX) NULL,
	[source_request_id] NVARCHAR(100) NULL,
	[ingested_at] DATETIMEOFFSET(7) NULL,
	[etl_created_at] DATETIMEOFFSET(7) NULL,
	[etl_updated_at] DATETIMEOFFSET(7) NULL,
	[etl_batch_id] NVARCHAR(50) NULL,
	[etl_source] NVARCHAR(50) NULL,
	CONSTRAINT [PK_shopee_order_income] PRIMARY KEY CLUSTERED ([shop_id], [order_sn])
);
IF COL_LENGTH(N'staging.shopee_order_income', N'shop_id') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [shop_id] BIGINT NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'order_sn') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [order_sn] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'is_released') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [is_released] BIT NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'income_version_time') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [income_version_time] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'buyer_user_name') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [buyer_user_name] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'return_order_sn_list') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [return_order_sn_list] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'buyer_payment_method') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [buyer_payment_method] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'tax_registration_code') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [tax_registration_code] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'seller_voucher_code') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [seller_voucher_code] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'instalment_plan') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [instalment_plan] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'pri_currency') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [pri_currency] NVARCHAR(10) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'aff_currency') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [aff_currency] NVARCHAR(10) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'escrow_amount') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [escrow_amount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'escrow_amount_after_adjustment') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [escrow_amount_after_adjustment] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'total_adjustment_amount') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [total_adjustment_amount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'buyer_total_amount') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [buyer_total_amount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'cost_of_goods_sold') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [cost_of_goods_sold] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'original_cost_of_goods_sold') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [original_cost_of_goods_sold] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'order_original_price') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [order_original_price] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'original_price') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [original_price] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'order_selling_price') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [order_selling_price] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'order_discounted_price') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [order_discounted_price] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'order_seller_discount') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [order_seller_discount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'seller_discount') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [seller_discount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'shopee_discount') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [shopee_discount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'original_shopee_discount') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [original_shopee_discount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'voucher_from_seller') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [voucher_from_seller] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'voucher_from_shopee') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [voucher_from_shopee] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'voucher_from_external_party') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [voucher_from_external_party] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'coins') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [coins] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'seller_coin_cash_back') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [seller_coin_cash_back] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'payment_promotion') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [payment_promotion] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'credit_card_promotion') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [credit_card_promotion] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'prorated_coins_value_offset_return_items') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [prorated_coins_value_offset_return_items] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'prorated_shopee_voucher_offset_return_items') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [prorated_shopee_voucher_offset_return_items] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'prorated_seller_voucher_offset_return_items') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [prorated_seller_voucher_offset_return_items] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'prorated_payment_channel_promo_bank_offset_return_items') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [prorated_payment_channel_promo_bank_offset_return_items] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'prorated_payment_channel_promo_shopee_offset_return_items') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [prorated_payment_channel_promo_shopee_offset_return_items] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'commission_fee') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [commission_fee] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'service_fee') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [service_fee] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'seller_transaction_fee') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [seller_transaction_fee] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'buyer_transaction_fee') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [buyer_transaction_fee] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'credit_card_transaction_fee') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [credit_card_transaction_fee] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'order_ams_commission_fee') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [order_ams_commission_fee] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'campaign_fee') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [campaign_fee] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'seller_order_processing_fee') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [seller_order_processing_fee] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'ads_escrow_top_up_fee_or_technical_support_fee') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [ads_escrow_top_up_fee_or_technical_support_fee] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'shipping_seller_protection_fee_amount') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [shipping_seller_protection_fee_amount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'delivery_seller_protection_fee_premium_amount') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [delivery_seller_protection_fee_premium_amount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'fbs_fee') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [fbs_fee] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'buyer_paid_shipping_fee') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [buyer_paid_shipping_fee] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'actual_shipping_fee') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [actual_shipping_fee] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'estimated_shipping_fee') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [estimated_shipping_fee] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'shopee_shipping_rebate') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [shopee_shipping_rebate] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'shipping_fee_discount_from_3pl') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [shipping_fee_discount_from_3pl] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'seller_shipping_discount') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [seller_shipping_discount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'final_shipping_fee') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [final_shipping_fee] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'reverse_shipping_fee') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [reverse_shipping_fee] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'final_return_to_seller_shipping_fee') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [final_return_to_seller_shipping_fee] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'rsf_seller_protection_fee_claim_amount') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [rsf_seller_protection_fee_claim_amount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'fsf_seller_protection_fee_claim_amount') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [fsf_seller_protection_fee_claim_amount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'seller_lost_compensation') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [seller_lost_compensation] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'seller_return_refund') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [seller_return_refund] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'drc_adjustable_refund') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [drc_adjustable_refund] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'withholding_vat_tax') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [withholding_vat_tax] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'withholding_pit_tax') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [withholding_pit_tax] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'withholding_cit_tax') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [withholding_cit_tax] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'vat_on_imported_goods') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [vat_on_imported_goods] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'escrow_tax') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [escrow_tax] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'final_product_vat_tax') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [final_product_vat_tax] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'final_shipping_vat_tax') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [final_shipping_vat_tax] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'final_escrow_product_gst') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [final_escrow_product_gst] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'final_escrow_shipping_gst') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [final_escrow_shipping_gst] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'sales_tax_on_lvg') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [sales_tax_on_lvg] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'shipping_fee_sst') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [shipping_fee_sst] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'reverse_shipping_fee_sst') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [reverse_shipping_fee_sst] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'withholding_tax') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [withholding_tax] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'th_import_duty') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [th_import_duty] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'cross_border_tax') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [cross_border_tax] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'overseas_return_service_fee') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [overseas_return_service_fee] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'buyer_paid_packaging_fee') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [buyer_paid_packaging_fee] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'trade_in_bonus_by_seller') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [trade_in_bonus_by_seller] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'final_product_protection') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [final_product_protection] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'buyer_payment_info') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [buyer_payment_info] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'raw_json') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [raw_json] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'source_request_id') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [source_request_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'ingested_at') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [ingested_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'etl_created_at') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [etl_created_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'etl_updated_at') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [etl_updated_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'etl_batch_id') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [etl_batch_id] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.shopee_order_income', N'etl_source') IS NULL
ALTER TABLE [staging].[shopee_order_income] ADD [etl_source] NVARCHAR(50) NULL;
IF NOT EXISTS (SELECT 1 FROM sys.indexes i WHERE i.[object_id] = OBJECT_ID(N'staging.shopee_order_income')
	AND (SELECT COUNT(*) FROM sys.index_columns ic WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] > 0) = 1
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 1 AND c.[name] = N'income_version_time'))
CREATE INDEX [IX_shopee_order_income_version] ON [staging].[shopee_order_income] ([income_version_time])
