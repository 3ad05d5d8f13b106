IF OBJECT_ID(N'staging.tiktok_withdrawals', N'U') IS NULL
CREATE TABLE [staging].[tiktok_withdrawals] (
	[shop_id] NVARCHAR(100) NOT NULL,
	[withdrawal_id] NVARCHAR(100) NOT NULL,
	[withdrawal_type] NVARCHAR(50) NULL,
	[amount] DECIMAL(18,4) NULL,
	[currency] NVARCHAR(10) NULL,
	[status] NVARCHAR(50) NULL,
	[status_rank] BIGINT NULL,
	[create_time] DATETIMEOFFSET(7) NULL,
	[raw_json] NVARCHAR(MAX) NULL,
	[source_request_id] NVARCHAR(100) NULL,
	[etl_created_at] DATETIMEOFFSET(7) NULL,
	[etl_updated_at] DATETIMEOFFSET(7) NULL,
	[etl_batch_id] NVARCHAR(50) NULL,
	[etl_source] NVARCHAR(50) NULL,
	CONSTRAINT [PK_tiktok_withdrawals] PRIMARY KEY CLUSTERED ([shop_id], [withdrawal_id])
);
IF COL_LENGTH(N'staging.tiktok_withdrawals', N'shop_id') IS NULL
ALTER TABLE [staging].[tiktok_withdrawals] ADD [shop_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.tiktok_withdrawals', N'withdrawal_id') IS NULL
ALTER TABLE [staging].[tiktok_withdrawals] ADD [withdrawal_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.tiktok_withdrawals', N'withdrawal_type') IS NULL
ALTER TABLE [staging].[tiktok_withdrawals] ADD [withdrawal_type] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.tiktok_withdrawals', N'amount') IS NULL
ALTER TABLE [staging].[tiktok_withdrawals] ADD [amount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.tiktok_withdrawals', N'currency') IS NULL
ALTER TABLE [staging].[tiktok_withdrawals] ADD [currency] NVARCHAR(10) NULL;
IF COL_LENGTH(N'staging.tiktok_withdrawals', N'status') IS NULL
ALTER TABLE [staging].[tiktok_withdrawals] ADD [status] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.tiktok_withdrawals', N'status_rank') IS NULL
ALTER TABLE [staging].[tiktok_withdrawals] ADD [status_rank] BIGINT NULL;
IF COL_LENGTH(N'staging.tiktok_withdrawals', N'create_time') IS NULL
ALTER TABLE [staging].[tiktok_withdrawals] ADD [create_time] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.tiktok_withdrawals', N'raw_json') IS NULL
ALTER TABLE [staging].[tiktok_withdrawals] ADD [raw_json] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.tiktok_withdrawals', N'source_request_id') IS NULL
ALTER TABLE [staging].[tiktok_withdrawals] ADD [source_request_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.tiktok_withdrawals', N'etl_created_at') IS NULL
ALTER TABLE [staging].[tiktok_withdrawals] ADD [etl_created_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.tiktok_withdrawals', N'etl_updated_at') IS NULL
ALTER TABLE [staging].[tiktok_withdrawals] ADD [etl_updated_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.tiktok_withdrawals', N'etl_batch_id') IS NULL
ALTER TABLE [staging].[tiktok_withdrawals] ADD [etl_batch_id] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.tiktok_withdrawals', N'etl_source') IS NULL
ALTER TABLE [staging].[tiktok_withdrawals] ADD [etl_source] NVARCHAR(50) NULL;
IF NOT EXISTS (SELECT 1 FROM sys.indexes i WHERE i.[object_id] = OBJECT_ID(N'staging.tiktok_withdrawals')
	AND (SELECT COUNT(*) FROM sys.index_columns ic WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] > 0) = 1
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 1 AND c.[name] = N'create_time'))
CREATE INDEX [IX_tiktok_withdrawals_create_time] ON [staging].[tiktok_withdrawals] ([create_time])
