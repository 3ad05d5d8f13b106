IF OBJECT_ID(N'staging.tiktok_statement_transactions', N'U') IS NULL
CREATE TABLE [staging].[tiktok_statement_transactions] (
	[shop_id] NVARCHAR(100) NOT NULL,
	[transaction_id] NVARCHAR(100) NOT NULL,
	[statement_id] NVARCHAR(100) NULL,
	[statement_time] DATETIMEOFFSET(7) NULL,
	[transaction_type] NVARCHAR(200) NULL,
	[currency] NVARCHAR(10) NULL,
	[order_id] NVARCHAR(100) NULL,
	[order_create_time] DATETIMEOFFSET(7) NULL,
	[adjustment_id] NVARCHAR(100) NULL,
	[adjustment_order_id] NVARCHAR(100) NULL,
	[related_order_id] NVARCHAR(100) NULL,
	[settlement_amount] DECIMAL(18,4) NULL,
	[revenue_amount] DECIMAL(18,4) NULL,
	[shipping_cost_amount] DECIMAL(18,4) NULL,
	[fee_tax_amount] DECIMAL(18,4) NULL,
	[adjustment_amount] DECIMAL(18,4) NULL,
	[reserve_id] NVARCHAR(100) NULL,
	[reserve_amount] DECIMAL(18,4) NULL,
	[reserve_status] NVARCHAR(50) NULL,
	[associated_order_id] NVARCHAR(100) NULL,
	[estimated_release_time] DATETIMEOFFSET(7) NULL,
	[revenue_breakdown] NVARCHAR(MAX) NULL,
	[shipping_cost_breakdown] NVARCHAR(MAX) NULL,
	[fee_tax_breakdown] NVARCHAR(MAX) NULL,
	[supplementary_component] NVARCHAR(MAX) NULL,
	[raw_json] NVARCHAR(MAX) NULL,
	[source_request_id] NVARCHAR(100) NULL,
	[etl_created_at] DATETIMEOFFSET(7) NULL,
	[etl_updated_at] DATETIMEOFFSET(7) NULL,
	[etl_batch_id] NVARCHAR(50) NULL,
	[etl_source] NVARCHAR(50) NULL,
	CONSTRAINT [PK_tiktok_statement_transactions] PRIMARY KEY CLUSTERED ([shop_id], [transaction_id])
);
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'shop_id') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [shop_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'transaction_id') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [transaction_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'statement_id') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [statement_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'statement_time') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [statement_time] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'transaction_type') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [transaction_type] NVARCHAR(200) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'currency') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [currency] NVARCHAR(10) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'order_id') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [order_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'order_create_time') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [order_create_time] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'adjustment_id') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [adjustment_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'adjustment_order_id') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [adjustment_order_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'related_order_id') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [related_order_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'settlement_amount') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [settlement_amount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'revenue_amount') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [revenue_amount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'shipping_cost_amount') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [shipping_cost_amount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'fee_tax_amount') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [fee_tax_amount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'adjustment_amount') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [adjustment_amount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'reserve_id') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [reserve_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'reserve_amount') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [reserve_amount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'reserve_status') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [reserve_status] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'associated_order_id') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [associated_order_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'estimated_release_time') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [estimated_release_time] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'revenue_breakdown') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [revenue_breakdown] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'shipping_cost_breakdown') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [shipping_cost_breakdown] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'fee_tax_breakdown') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [fee_tax_breakdown] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'supplementary_component') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [supplementary_component] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'raw_json') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [raw_json] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'source_request_id') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [source_request_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'etl_created_at') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [etl_created_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'etl_updated_at') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [etl_updated_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'etl_batch_id') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [etl_batch_id] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'etl_source') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [etl_source] NVARCHAR(50) NULL;
IF NOT EXISTS (SELECT 1 FROM sys.indexes i WHERE i.[object_id] = OBJECT_ID(N'staging.tiktok_statement_transactions')
	AND (SELECT COUNT(*) FROM sys.index_columns ic WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] > 0) = 2
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 1 AND c.[name] = N'shop_id')
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 2 AND c.[name] = N'statement_id'))
CREATE INDEX [IX_tiktok_statement_transactions_statement] ON [staging].[tiktok_statement_transactions] ([shop_id], [statement_id]);
IF NOT EXISTS (SELECT 1 FROM sys.indexes i WHERE i.[object_id] = OBJECT_ID(N'staging.tiktok_statement_transactions')
	AND (SELECT COUNT(*) FROM sys.index_columns ic WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] > 0) = 2
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 1 AND c.[name] = N'shop_id')
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 2 AND c.[name] = N'related_order_id'))
CREATE INDEX [IX_tiktok_statement_transactions_related_order] ON [staging].[tiktok_statement_transactions] ([shop_id], [related_order_id])
