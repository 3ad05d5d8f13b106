IF SCHEMA_ID(N'staging') IS NULL EXEC(N'CREATE SCHEMA [staging]');
IF OBJECT_ID(N'staging.shopee_order_items', N'U') IS NULL
CREATE TABLE [staging].[shopee_order_items] (
	[order_sn] NVARCHAR(50) NOT NULL,
	[order_item_id] BIGINT NOT NULL,
	[item_id] BIGINT NULL,
	[item_name] NVARCHAR(500) NULL,
	[item_sku] NVARCHAR(100) NULL,
	[model_id] BIGINT NOT NULL,
	[model_name] NVARCHAR(500) NULL,
	[model_sku] NVARCHAR(100) NULL,
	[model_quantity_purchased] BIGINT NULL,
	[model_original_price] DECIMAL(18,4) NULL,
	[model_discounted_price] DECIMAL(18,4) NULL,
	[wholesale] BIT NULL,
	[weight] DECIMAL(18,4) NULL,
	[add_on_deal] BIT NULL,
	[main_item] BIT NULL,
	[add_on_deal_id] BIGINT NULL,
	[promotion_type] NVARCHAR(50) NULL,
	[promotion_id] BIGINT NULL,
	[promotion_group_id] BIGINT NULL,
	[is_prescription_item] BIT NULL,
	[is_b2c_owned_item] BIT NULL,
	[consultation_id] NVARCHAR(100) NULL,
	[image_url] NVARCHAR(MAX) NULL,
	[hot_listing_item] BIT NULL,
	[source_request_id] NVARCHAR(100) NULL,
	[ingested_at] DATETIMEOFFSET(7) NULL,
	[etl_created_at] DATETIMEOFFSET(7) NULL,
	[etl_updated_at] DATETIMEOFFSET(7) NULL,
	[etl_batch_id] NVARCHAR(50) NULL,
	[etl_source] NVARCHAR(50) NULL,
	CONSTRAINT [PK_shopee_order_items] PRIMARY KEY CLUSTERED ([order_sn], [order_item_id], [model_id])
);
IF COL_LENGTH(N'staging.shopee_order_items', N'order_sn') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [order_sn] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.shopee_order_items', N'order_item_id') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [order_item_id] BIGINT NULL;
IF COL_LENGTH(N'staging.shopee_order_items', N'item_id') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [item_id] BIGINT NULL;
IF COL_LENGTH(N'staging.shopee_order_items', N'item_name') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [item_name] NVARCHAR(500) NULL;
IF COL_LENGTH(N'staging.shopee_order_items', N'item_sku') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [item_sku] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.shopee_order_items', N'model_id') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [model_id] BIGINT NULL;
IF COL_LENGTH(N'staging.shopee_order_items', N'model_name') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [model_name] NVARCHAR(500) NULL;
IF COL_LENGTH(N'staging.shopee_order_items', N'model_sku') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [model_sku] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.shopee_order_items', N'model_quantity_purchased') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [model_quantity_purchased] BIGINT NULL;
IF COL_LENGTH(N'staging.shopee_order_items', N'model_original_price') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [model_original_price] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_items', N'model_discounted_price') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [model_discounted_price] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_items', N'wholesale') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [wholesale] BIT NULL;
IF COL_LENGTH(N'staging.shopee_order_items', N'weight') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [weight] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_items', N'add_on_deal') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [add_on_deal] BIT NULL;
IF COL_LENGTH(N'staging.shopee_order_items', N'main_item') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [main_item] BIT NULL;
IF COL_LENGTH(N'staging.shopee_order_items', N'add_on_deal_id') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [add_on_deal_id] BIGINT NULL;
IF COL_LENGTH(N'staging.shopee_order_items', N'promotion_type') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [promotion_type] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.shopee_order_items', N'promotion_id') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [promotion_id] BIGINT NULL;
IF COL_LENGTH(N'staging.shopee_order_items', N'promotion_group_id') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [promotion_group_id] BIGINT NULL;
IF COL_LENGTH(N'staging.shopee_order_items', N'is_prescription_item') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [is_prescription_item] BIT NULL;
IF COL_LENGTH(N'staging.shopee_order_items', N'is_b2c_owned_item') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [is_b2c_owned_item] BIT NULL;
IF COL_LENGTH(N'staging.shopee_order_items', N'consultation_id') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [consultation_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.shopee_order_items', N'image_url') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [image_url] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.shopee_order_items', N'hot_listing_item') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [hot_listing_item] BIT NULL;
IF COL_LENGTH(N'staging.shopee_order_items', N'source_request_id') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [source_request_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.shopee_order_items', N'ingested_at') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [ingested_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.shopee_order_items', N'etl_created_at') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [etl_created_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.shopee_order_items', N'etl_updated_at') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [etl_updated_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.shopee_order_items', N'etl_batch_id') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [etl_batch_id] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.shopee_order_items', N'etl_source') IS NULL
ALTER TABLE [staging].[shopee_order_items] ADD [etl_source] NVARCHAR(50) NULL
