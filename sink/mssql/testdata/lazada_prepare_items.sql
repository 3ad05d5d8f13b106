IF SCHEMA_ID(N'staging') IS NULL EXEC(N'CREATE SCHEMA [staging]');
IF OBJECT_ID(N'staging.lazada_order_items', N'U') IS NULL
CREATE TABLE [staging].[lazada_order_items] (
	[seller_id] NVARCHAR(50) NOT NULL,
	[order_item_id] BIGINT NOT NULL,
	[order_id] BIGINT NOT NULL,
	[shop_sku] NVARCHAR(255) NULL,
	[sku] NVARCHAR(255) NULL,
	[sku_id] NVARCHAR(50) NULL,
	[product_id] NVARCHAR(50) NULL,
	[name] NVARCHAR(MAX) NULL,
	[variation] NVARCHAR(MAX) NULL,
	[item_price] DECIMAL(18,2) NULL,
	[paid_price] DECIMAL(18,2) NULL,
	[tax_amount] DECIMAL(18,2) NULL,
	[voucher_amount] DECIMAL(18,2) NULL,
	[shipping_amount] DECIMAL(18,2) NULL,
	[wallet_credits] DECIMAL(18,2) NULL,
	[voucher_platform] DECIMAL(18,2) NULL,
	[voucher_seller] DECIMAL(18,2) NULL,
	[voucher_platform_lpi] DECIMAL(18,2) NULL,
	[voucher_seller_lpi] DECIMAL(18,2) NULL,
	[shipping_fee_original] DECIMAL(18,2) NULL,
	[shipping_fee_discount_seller] DECIMAL(18,2) NULL,
	[shipping_fee_discount_platform] DECIMAL(18,2) NULL,
	[shipping_service_cost] DECIMAL(18,2) NULL,
	[voucher_code] NVARCHAR(255) NULL,
	[voucher_code_seller] NVARCHAR(255) NULL,
	[voucher_code_platform] NVARCHAR(255) NULL,
	[currency] NVARCHAR(10) NULL,
	[status] NVARCHAR(50) NULL,
	[reason] NVARCHAR(MAX) NULL,
	[reason_detail] NVARCHAR(MAX) NULL,
	[cancel_return_initiator] NVARCHAR(100) NULL,
	[return_status] NVARCHAR(100) NULL,
	[tracking_code] NVARCHAR(100) NULL,
	[tracking_code_pre] NVARCHAR(100) NULL,
	[shipment_provider] NVARCHAR(255) NULL,
	[shipping_provider_type] NVARCHAR(50) NULL,
	[shipping_type] NVARCHAR(50) NULL,
	[package_id] NVARCHAR(100) NULL,
	[purchase_order_id] NVARCHAR(100) NULL,
	[purchase_order_number] NVARCHAR(100) NULL,
	[invoice_number] NVARCHAR(100) NULL,
	[created_at] DATETIMEOFFSET(7) NULL,
	[updated_at] DATETIMEOFFSET(7) NULL,
	[promised_shipping_time] NVARCHAR(50) NULL,
	[sla_time_stamp] NVARCHAR(50) NULL,
	[payment_time] DATETIMEOFFSET(7) NULL,
	[is_digital] BIT NULL,
	[is_fbl] BIT NULL,
	[is_reroute] BIT NULL,
	[delivery_option_sof] BIT NULL,
	[order_type] NVARCHAR(50) NULL,
	[order_flag] NVARCHAR(50) NULL,
	[stage_pay_status] NVARCHAR(50) NULL,
	[warehouse_code] NVARCHAR(100) NULL,
	[buyer_id] NVARCHAR(50) NULL,
	[shop_id] NVARCHAR(255) NULL,
	[product_main_image] NVARCHAR(MAX) NULL,
	[product_detail_url] NVARCHAR(MAX) NULL,
	[digital_delivery_info] NVARCHAR(MAX) NULL,
	[extra_attributes] NVARCHAR(MAX) NULL,
	[pick_up_store_info] NVARCHAR(MAX) NULL,
	[need_cancel_confirm] BIT NULL,
	[is_cancel_pending] BIT NULL,
	[can_escalate_pickup] BIT NULL,
	[mp3_order] BIT NULL,
	[cancel_trigger_time] BIGINT NULL,
	[reverse_order_id] NVARCHAR(50) NULL,
	[schedule_delivery_start_timeslot] BIGINT NULL,
	[schedule_delivery_end_timeslot] BIGINT NULL,
	[biz_group] BIGINT NULL,
	[request_id] NVARCHAR(64) NULL,
	[etl_created_at] DATETIMEOFFSET(7) NULL,
	[etl_updated_at] DATETIMEOFFSET(7) NULL,
	[etl_batch_id] NVARCHAR(50) NULL,
	CONSTRAINT [PK_lazada_order_items] PRIMARY KEY CLUSTERED ([seller_id], [order_item_id])
);
IF COL_LENGTH(N'staging.lazada_order_items', N'seller_id') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [seller_id] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'order_item_id') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [order_item_id] BIGINT NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'order_id') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [order_id] BIGINT NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'shop_sku') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [shop_sku] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'sku') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [sku] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'sku_id') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [sku_id] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'product_id') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [product_id] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'name') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [name] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'variation') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [variation] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'item_price') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [item_price] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'paid_price') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [paid_price] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'tax_amount') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [tax_amount] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'voucher_amount') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [voucher_amount] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'shipping_amount') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [shipping_amount] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'wallet_credits') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [wallet_credits] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'voucher_platform') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [voucher_platform] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'voucher_seller') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [voucher_seller] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'voucher_platform_lpi') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [voucher_platform_lpi] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'voucher_seller_lpi') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [voucher_seller_lpi] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'shipping_fee_original') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [shipping_fee_original] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'shipping_fee_discount_seller') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [shipping_fee_discount_seller] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'shipping_fee_discount_platform') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [shipping_fee_discount_platform] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'shipping_service_cost') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [shipping_service_cost] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'voucher_code') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [voucher_code] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'voucher_code_seller') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [voucher_code_seller] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'voucher_code_platform') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [voucher_code_platform] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'currency') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [currency] NVARCHAR(10) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'status') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [status] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'reason') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [reason] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'reason_detail') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [reason_detail] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'cancel_return_initiator') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [cancel_return_initiator] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'return_status') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [return_status] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'tracking_code') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [tracking_code] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'tracking_code_pre') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [tracking_code_pre] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'shipment_provider') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [shipment_provider] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'shipping_provider_type') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [shipping_provider_type] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'shipping_type') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [shipping_type] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'package_id') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [package_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'purchase_order_id') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [purchase_order_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'purchase_order_number') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [purchase_order_number] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'invoice_number') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [invoice_number] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'created_at') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [created_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'updated_at') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [updated_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'promised_shipping_time') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [promised_shipping_time] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'sla_time_stamp') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [sla_time_stamp] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'payment_time') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [payment_time] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'is_digital') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [is_digital] BIT NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'is_fbl') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [is_fbl] BIT NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'is_reroute') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [is_reroute] BIT NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'delivery_option_sof') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [delivery_option_sof] BIT NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'order_type') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [order_type] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'order_flag') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [order_flag] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'stage_pay_status') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [stage_pay_status] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'warehouse_code') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [warehouse_code] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'buyer_id') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [buyer_id] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'shop_id') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [shop_id] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'product_main_image') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [product_main_image] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'product_detail_url') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [product_detail_url] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'digital_delivery_info') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [digital_delivery_info] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'extra_attributes') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [extra_attributes] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'pick_up_store_info') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [pick_up_store_info] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'need_cancel_confirm') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [need_cancel_confirm] BIT NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'is_cancel_pending') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [is_cancel_pending] BIT NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'can_escalate_pickup') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [can_escalate_pickup] BIT NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'mp3_order') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [mp3_order] BIT NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'cancel_trigger_time') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [cancel_trigger_time] BIGINT NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'reverse_order_id') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [reverse_order_id] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'schedule_delivery_start_timeslot') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [schedule_delivery_start_timeslot] BIGINT NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'schedule_delivery_end_timeslot') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [schedule_delivery_end_timeslot] BIGINT NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'biz_group') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [biz_group] BIGINT NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'request_id') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [request_id] NVARCHAR(64) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'etl_created_at') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [etl_created_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'etl_updated_at') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [etl_updated_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'etl_batch_id') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [etl_batch_id] NVARCHAR(50) NULL;
IF NOT EXISTS (SELECT 1 FROM sys.indexes i WHERE i.[object_id] = OBJECT_ID(N'staging.lazada_order_items')
	AND (SELECT COUNT(*) FROM sys.index_columns ic WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] > 0) = 2
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 1 AND c.[name] = N'seller_id')
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 2 AND c.[name] = N'order_id'))
CREATE INDEX [IX_lazada_order_items_parent] ON [staging].[lazada_order_items] ([seller_id], [order_id])
