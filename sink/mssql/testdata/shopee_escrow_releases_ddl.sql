IF OBJECT_ID(N'staging.shopee_escrow_releases', N'U') IS NULL
CREATE TABLE [staging].[shopee_escrow_releases] (
	[shop_id] BIGINT NOT NULL,
	[order_sn] NVARCHAR(50) NOT NULL,
	[payout_amount] DECIMAL(18,4) NULL,
	[escrow_release_time] DATETIMEOFFSET(7) NULL,
	[raw_json] NVARCHAR(MAX) NULL,
	[source_request_id] NVARCHAR(100) NULL,
	[ingested_at] DATETIMEOFFSET(7) NULL,
	[etl_created_at] DATETIMEOFFSET(7) NULL,
	[etl_updated_at] DATETIMEOFFSET(7) NULL,
	[etl_batch_id] NVARCHAR(50) NULL,
	[etl_source] NVARCHAR(50) NULL,
	CONSTRAINT [PK_shopee_escrow_releases] PRIMARY KEY CLUSTERED ([shop_id], [order_sn])
);
IF COL_LENGTH(N'staging.shopee_escrow_releases', N'shop_id') IS NULL
ALTER TABLE [staging].[shopee_escrow_releases] ADD [shop_id] BIGINT NULL;
IF COL_LENGTH(N'staging.shopee_escrow_releases', N'order_sn') IS NULL
ALTER TABLE [staging].[shopee_escrow_releases] ADD [order_sn] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.shopee_escrow_releases', N'payout_amount') IS NULL
ALTER TABLE [staging].[shopee_escrow_releases] ADD [payout_amount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_escrow_releases', N'escrow_release_time') IS NULL
ALTER TABLE [staging].[shopee_escrow_releases] ADD [escrow_release_time] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.shopee_escrow_releases', N'raw_json') IS NULL
ALTER TABLE [staging].[shopee_escrow_releases] ADD [raw_json] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.shopee_escrow_releases', N'source_request_id') IS NULL
ALTER TABLE [staging].[shopee_escrow_releases] ADD [source_request_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.shopee_escrow_releases', N'ingested_at') IS NULL
ALTER TABLE [staging].[shopee_escrow_releases] ADD [ingested_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.shopee_escrow_releases', N'etl_created_at') IS NULL
ALTER TABLE [staging].[shopee_escrow_releases] ADD [etl_created_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.shopee_escrow_releases', N'etl_updated_at') IS NULL
ALTER TABLE [staging].[shopee_escrow_releases] ADD [etl_updated_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.shopee_escrow_releases', N'etl_batch_id') IS NULL
ALTER TABLE [staging].[shopee_escrow_releases] ADD [etl_batch_id] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.shopee_escrow_releases', N'etl_source') IS NULL
ALTER TABLE [staging].[shopee_escrow_releases] ADD [etl_source] NVARCHAR(50) NULL
