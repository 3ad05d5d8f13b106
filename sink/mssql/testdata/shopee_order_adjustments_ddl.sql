IF OBJECT_ID(N'staging.shopee_order_adjustments', N'U') IS NULL
CREATE TABLE [staging].[shopee_order_adjustments] (
	[shop_id] BIGINT NOT NULL,
	[order_sn] NVARCHAR(50) NOT NULL,
	[adjustment_index] BIGINT NOT NULL,
	[amount] DECIMAL(18,4) NULL,
	[date] DATETIMEOFFSET(7) NULL,
	[currency] NVARCHAR(10) NULL,
	[adjustment_reason] NVARCHAR(500) NULL,
	[source_request_id] NVARCHAR(100) NULL,
	[ingested_at] DATETIMEOFFSET(7) NULL,
	[etl_created_at] DATETIMEOFFSET(7) NULL,
	[etl_updated_at] DATETIMEOFFSET(7) NULL,
	[etl_batch_id] NVARCHAR(50) NULL,
	[etl_source] NVARCHAR(50) NULL,
	CONSTRAINT [PK_shopee_order_adjustments] PRIMARY KEY CLUSTERED ([shop_id], [order_sn], [adjustment_index])
);
IF COL_LENGTH(N'staging.shopee_order_adjustments', N'shop_id') IS NULL
ALTER TABLE [staging].[shopee_order_adjustments] ADD [shop_id] BIGINT NULL;
IF COL_LENGTH(N'staging.shopee_order_adjustments', N'order_sn') IS NULL
ALTER TABLE [staging].[shopee_order_adjustments] ADD [order_sn] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.shopee_order_adjustments', N'adjustment_index') IS NULL
ALTER TABLE [staging].[shopee_order_adjustments] ADD [adjustment_index] BIGINT NULL;
IF COL_LENGTH(N'staging.shopee_order_adjustments', N'amount') IS NULL
ALTER TABLE [staging].[shopee_order_adjustments] ADD [amount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_order_adjustments', N'date') IS NULL
ALTER TABLE [staging].[shopee_order_adjustments] ADD [date] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.shopee_order_adjustments', N'currency') IS NULL
ALTER TABLE [staging].[shopee_order_adjustments] ADD [currency] NVARCHAR(10) NULL;
IF COL_LENGTH(N'staging.shopee_order_adjustments', N'adjustment_reason') IS NULL
ALTER TABLE [staging].[shopee_order_adjustments] ADD [adjustment_reason] NVARCHAR(500) NULL;
IF COL_LENGTH(N'staging.shopee_order_adjustments', N'source_request_id') IS NULL
ALTER TABLE [staging].[shopee_order_adjustments] ADD [source_request_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.shopee_order_adjustments', N'ingested_at') IS NULL
ALTER TABLE [staging].[shopee_order_adjustments] ADD [ingested_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.shopee_order_adjustments', N'etl_created_at') IS NULL
ALTER TABLE [staging].[shopee_order_adjustments] ADD [etl_created_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.shopee_order_adjustments', N'etl_updated_at') IS NULL
ALTER TABLE [staging].[shopee_order_adjustments] ADD [etl_updated_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.shopee_order_adjustments', N'etl_batch_id') IS NULL
ALTER TABLE [staging].[shopee_order_adjustments] ADD [etl_batch_id] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.shopee_order_adjustments', N'etl_source') IS NULL
ALTER TABLE [staging].[shopee_order_adjustments] ADD [etl_source] NVARCHAR(50) NULL
