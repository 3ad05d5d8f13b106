IF OBJECT_ID(N'staging.tiktok_statements', N'U') IS NULL
CREATE TABLE [staging].[tiktok_statements] (
	[shop_id] NVARCHAR(100) NOT NULL,
	[statement_id] NVARCHAR(100) NOT NULL,
	[statement_time] DATETIMEOFFSET(7) NULL,
	[currency] NVARCHAR(10) NULL,
	[settlement_amount] DECIMAL(18,4) NULL,
	[revenue_amount] DECIMAL(18,4) NULL,
	[fee_amount] DECIMAL(18,4) NULL,
	[adjustment_amount] DECIMAL(18,4) NULL,
	[net_sales_amount] DECIMAL(18,4) NULL,
	[shipping_cost_amount] DECIMAL(18,4) NULL,
	[payment_status] NVARCHAR(50) NULL,
	[payment_status_rank] BIGINT NULL,
	[payment_id] NVARCHAR(100) NULL,
	[payment_time] DATETIMEOFFSET(7) NULL,
	[raw_json] NVARCHAR(MAX) NULL,
	[source_request_id] NVARCHAR(100) NULL,
	[etl_created_at] DATETIMEOFFSET(7) NULL,
	[etl_updated_at] DATETIMEOFFSET(7) NULL,
	[etl_batch_id] NVARCHAR(50) NULL,
	[etl_source] NVARCHAR(50) NULL,
	CONSTRAINT [PK_tiktok_statements] PRIMARY KEY CLUSTERED ([shop_id], [statement_id])
);
IF COL_LENGTH(N'staging.tiktok_statements', N'shop_id') IS NULL
ALTER TABLE [staging].[tiktok_statements] ADD [shop_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.tiktok_statements', N'statement_id') IS NULL
ALTER TABLE [staging].[tiktok_statements] ADD [statement_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.tiktok_statements', N'statement_time') IS NULL
ALTER TABLE [staging].[tiktok_statements] ADD [statement_time] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.tiktok_statements', N'currency') IS NULL
ALTER TABLE [staging].[tiktok_statements] ADD [currency] NVARCHAR(10) NULL;
IF COL_LENGTH(N'staging.tiktok_statements', N'settlement_amount') IS NULL
ALTER TABLE [staging].[tiktok_statements] ADD [settlement_amount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.tiktok_statements', N'revenue_amount') IS NULL
ALTER TABLE [staging].[tiktok_statements] ADD [revenue_amount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.tiktok_statements', N'fee_amount') IS NULL
ALTER TABLE [staging].[tiktok_statements] ADD [fee_amount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.tiktok_statements', N'adjustment_amount') IS NULL
ALTER TABLE [staging].[tiktok_statements] ADD [adjustment_amount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.tiktok_statements', N'net_sales_amount') IS NULL
ALTER TABLE [staging].[tiktok_statements] ADD [net_sales_amount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.tiktok_statements', N'shipping_cost_amount') IS NULL
ALTER TABLE [staging].[tiktok_statements] ADD [shipping_cost_amount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.tiktok_statements', N'payment_status') IS NULL
ALTER TABLE [staging].[tiktok_statements] ADD [payment_status] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.tiktok_statements', N'payment_status_rank') IS NULL
ALTER TABLE [staging].[tiktok_statements] ADD [payment_status_rank] BIGINT NULL;
IF COL_LENGTH(N'staging.tiktok_statements', N'payment_id') IS NULL
ALTER TABLE [staging].[tiktok_statements] ADD [payment_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.tiktok_statements', N'payment_time') IS NULL
ALTER TABLE [staging].[tiktok_statements] ADD [payment_time] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.tiktok_statements', N'raw_json') IS NULL
ALTER TABLE [staging].[tiktok_statements] ADD [raw_json] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.tiktok_statements', N'source_request_id') IS NULL
ALTER TABLE [staging].[tiktok_statements] ADD [source_request_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.tiktok_statements', N'etl_created_at') IS NULL
ALTER TABLE [staging].[tiktok_statements] ADD [etl_created_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.tiktok_statements', N'etl_updated_at') IS NULL
ALTER TABLE [staging].[tiktok_statements] ADD [etl_updated_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.tiktok_statements', N'etl_batch_id') IS NULL
ALTER TABLE [staging].[tiktok_statements] ADD [etl_batch_id] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.tiktok_statements', N'etl_source') IS NULL
ALTER TABLE [staging].[tiktok_statements] ADD [etl_source] NVARCHAR(50) NULL;
IF NOT EXISTS (SELECT 1 FROM sys.indexes i WHERE i.[object_id] = OBJECT_ID(N'staging.tiktok_statements')
	AND (SELECT COUNT(*) FROM sys.index_columns ic WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] > 0) = 1
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 1 AND c.[name] = N'statement_time'))
CREATE INDEX [IX_tiktok_statements_statement_time] ON [staging].[tiktok_statements] ([statement_time])
