IF OBJECT_ID(N'staging.shopee_order_income_items', N'U') IS NULL
CREATE TABLE [staging].[shopee_order_income_items] (
	[shop_id] BIGINT NOT NULL,
	[order_sn] NVARCHAR(50) NOT NULL,
	[item_index] BIGINT NOT NULL,
	[line_item_id] BIGINT NULL,
	[item_id] BIGINT NULL,
	[item_name] NVARCHAR(500) NULL,
	[item_sku] NVARCHAR(100) NULL,
	[model_id] BIGINT NULL,
	[model_name] NVARCHAR(500) NULL,
	[model_sku] NVARCHAR(100) NULL,
	[original_price] DECIMAL(18,4) NULL,
	[selling_price] DECIMAL(18,4) NULL,
	[discounted_price] DECIMAL(18,4) NULL,
	[seller_discount] DECIMAL(18,4) NULL,
	[shopee_discount] DECIMAL(18,4) NULL,
	[discount_from_coin] DECIMAL(18,4) NULL,
	[discount_from_voucher_shopee] DECIMAL(18,4) NULL,
	[discount_from_voucher_seller] DECIMAL(18,4) NULL,
	[activity_type] NVARCHAR(50) NULL,
	[activity_id] DECIMAL(20,0) NULL,
	[is_main_item] BIT NULL,
	[quantity_purchased] BIGINT NULL,
	[is_b2c_shop_item] BIT NULL,
	[ams_commission_fee] DECIMAL(18,4) NULL,
	[promotion_list] NVARCHAR(MAX) NULL,
	[source_request_id] NVARCHAR(100) NULL,
	[ingested_at] DATETIMEOFFSET(7) NULL,
	[etl_created_at] DATETIMEOFFSET(7) NULL,
	[etl_updated_at] DATETIMEOFFSET(7) NULL,
	[etl_batch_id] NVARCHAR(50) NULL,
	[etl_source] NVARCHAR(50) NULL,
	CONSTRAINT [PK_shopee_order_income_items] PRIMARY KEY CLUSTERED ([shop_id], [order_sn], [item_index])
);
IF COL_LENGTH(N'staging.shopee_order_income_items', N'shop_id') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [shop_id] BIGINT NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'order_sn') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [order_sn] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'item_index') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [item_index] BIGINT NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'line_item_id') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [line_item_id] BIGINT NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'item_id') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [item_id] BIGINT NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'item_name') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [item_name] NVARCHAR(500) NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'item_sku') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [item_sku] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'model_id') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [model_id] BIGINT NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'model_name') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [model_name] NVARCHAR(500) NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'model_sku') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [model_sku] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'original_price') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [original_price] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'selling_price') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [selling_price] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'discounted_price') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [discounted_price] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'seller_discount') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [seller_discount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'shopee_discount') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [shopee_discount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'discount_from_coin') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [discount_from_coin] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'discount_from_voucher_shopee') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [discount_from_voucher_shopee] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'discount_from_voucher_seller') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [discount_from_voucher_seller] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'activity_type') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [activity_type] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'activity_id') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [activity_id] DECIMAL(20,0) NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'is_main_item') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [is_main_item] BIT NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'quantity_purchased') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [quantity_purchased] BIGINT NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'is_b2c_shop_item') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [is_b2c_shop_item] BIT NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'ams_commission_fee') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [ams_commission_fee] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'promotion_list') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [promotion_list] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'source_request_id') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [source_request_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'ingested_at') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [ingested_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'etl_created_at') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [etl_created_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'etl_updated_at') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [etl_updated_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'etl_batch_id') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [etl_batch_id] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.shopee_order_income_items', N'etl_source') IS NULL
ALTER TABLE [staging].[shopee_order_income_items] ADD [etl_source] NVARCHAR(50) NULL
