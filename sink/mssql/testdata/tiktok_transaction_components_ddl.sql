IF OBJECT_ID(N'staging.tiktok_transaction_components', N'U') IS NULL
CREATE TABLE [staging].[tiktok_transaction_components] (
	[shop_id] NVARCHAR(100) NOT NULL,
	[transaction_id] NVARCHAR(100) NOT NULL,
	[component_group] NVARCHAR(50) NOT NULL,
	[code] NVARCHAR(150) NOT NULL,
	[amount] DECIMAL(18,4) NULL,
	[source_request_id] NVARCHAR(100) NULL,
	[etl_created_at] DATETIMEOFFSET(7) NULL,
	[etl_updated_at] DATETIMEOFFSET(7) NULL,
	[etl_batch_id] NVARCHAR(50) NULL,
	[etl_source] NVARCHAR(50) NULL,
	CONSTRAINT [PK_tiktok_transaction_components] PRIMARY KEY CLUSTERED ([shop_id], [transaction_id], [component_group], [code])
);
IF COL_LENGTH(N'staging.tiktok_transaction_components', N'shop_id') IS NULL
ALTER TABLE [staging].[tiktok_transaction_components] ADD [shop_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.tiktok_transaction_components', N'transaction_id') IS NULL
ALTER TABLE [staging].[tiktok_transaction_components] ADD [transaction_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.tiktok_transaction_components', N'component_group') IS NULL
ALTER TABLE [staging].[tiktok_transaction_components] ADD [component_group] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.tiktok_transaction_components', N'code') IS NULL
ALTER TABLE [staging].[tiktok_transaction_components] ADD [code] NVARCHAR(150) NULL;
IF COL_LENGTH(N'staging.tiktok_transaction_components', N'amount') IS NULL
ALTER TABLE [staging].[tiktok_transaction_components] ADD [amount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.tiktok_transaction_components', N'source_request_id') IS NULL
ALTER TABLE [staging].[tiktok_transaction_components] ADD [source_request_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.tiktok_transaction_components', N'etl_created_at') IS NULL
ALTER TABLE [staging].[tiktok_transaction_components] ADD [etl_created_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.tiktok_transaction_components', N'etl_updated_at') IS NULL
ALTER TABLE [staging].[tiktok_transaction_components] ADD [etl_updated_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.tiktok_transaction_components', N'etl_batch_id') IS NULL
ALTER TABLE [staging].[tiktok_transaction_components] ADD [etl_batch_id] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.tiktok_transaction_components', N'etl_source') IS NULL
ALTER TABLE [staging].[tiktok_transaction_components] ADD [etl_source] NVARCHAR(50) NULL
