IF OBJECT_ID(N'staging.lazada_transactions', N'U') IS NULL
CREATE TABLE [staging].[lazada_transactions] (
	[seller_id] NVARCHAR(50) NOT NULL,
	[transaction_key] NVARCHAR(120) NOT NULL,
	[transaction_date] NVARCHAR(10) NULL,
	[transaction_type] NVARCHAR(100) NULL,
	[fee_name] NVARCHAR(255) NULL,
	[fee_type] BIGINT NULL,
	[fee_kind] NVARCHAR(20) NULL,
	[transaction_number] NVARCHAR(100) NULL,
	[amount] DECIMAL(18,4) NULL,
	[vat_in_amount] DECIMAL(18,4) NULL,
	[wht_amount] DECIMAL(18,4) NULL,
	[wht_included_in_amount] BIT NULL,
	[statement] NVARCHAR(100) NULL,
	[statement_start] NVARCHAR(10) NULL,
	[statement_end] NVARCHAR(10) NULL,
	[paid_status] NVARCHAR(50) NULL,
	[is_paid] BIT NULL,
	[status_version] BIGINT NULL,
	[order_no] BIGINT NULL,
	[order_item_no] BIGINT NULL,
	[order_item_status] NVARCHAR(50) NULL,
	[reference] NVARCHAR(100) NULL,
	[seller_sku] NVARCHAR(255) NULL,
	[lazada_sku] NVARCHAR(255) NULL,
	[shipping_provider] NVARCHAR(255) NULL,
	[shipping_speed] NVARCHAR(100) NULL,
	[shipment_type] NVARCHAR(100) NULL,
	[payment_ref_id] NVARCHAR(255) NULL,
	[comment] NVARCHAR(MAX) NULL,
	[details] NVARCHAR(MAX) NULL,
	[currency] NVARCHAR(10) NULL,
	[raw_json] NVARCHAR(MAX) NULL,
	[request_id] NVARCHAR(64) NULL,
	[etl_created_at] DATETIMEOFFSET(7) NULL,
	[etl_updated_at] DATETIMEOFFSET(7) NULL,
	[etl_batch_id] NVARCHAR(50) NULL,
	CONSTRAINT [PK_lazada_transactions] PRIMARY KEY CLUSTERED ([seller_id], [transaction_key])
);
IF COL_LENGTH(N'staging.lazada_transactions', N'seller_id') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [seller_id] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'transaction_key') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [transaction_key] NVARCHAR(120) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'transaction_date') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [transaction_date] NVARCHAR(10) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'transaction_type') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [transaction_type] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'fee_name') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [fee_name] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'fee_type') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [fee_type] BIGINT NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'fee_kind') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [fee_kind] NVARCHAR(20) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'transaction_number') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [transaction_number] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'amount') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [amount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'vat_in_amount') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [vat_in_amount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'wht_amount') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [wht_amount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'wht_included_in_amount') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [wht_included_in_amount] BIT NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'statement') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [statement] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'statement_start') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [statement_start] NVARCHAR(10) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'statement_end') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [statement_end] NVARCHAR(10) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'paid_status') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [paid_status] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'is_paid') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [is_paid] BIT NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'status_version') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [status_version] BIGINT NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'order_no') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [order_no] BIGINT NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'order_item_no') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [order_item_no] BIGINT NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'order_item_status') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [order_item_status] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'reference') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [reference] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'seller_sku') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [seller_sku] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'lazada_sku') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [lazada_sku] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'shipping_provider') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [shipping_provider] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'shipping_speed') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [shipping_speed] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'shipment_type') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [shipment_type] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'payment_ref_id') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [payment_ref_id] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'comment') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [comment] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'details') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [details] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'currency') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [currency] NVARCHAR(10) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'raw_json') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [raw_json] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'request_id') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [request_id] NVARCHAR(64) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'etl_created_at') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [etl_created_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'etl_updated_at') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [etl_updated_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'etl_batch_id') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [etl_batch_id] NVARCHAR(50) NULL;
IF NOT EXISTS (SELECT 1 FROM sys.indexes i WHERE i.[object_id] = OBJECT_ID(N'staging.lazada_transactions')
	AND (SELECT COUNT(*) FROM sys.index_columns ic WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] > 0) = 2
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 1 AND c.[name] = N'seller_id')
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 2 AND c.[name] = N'order_no'))
CREATE INDEX [IX_lazada_transactions_order_no] ON [staging].[lazada_transactions] ([seller_id], [order_no]);
IF NOT EXISTS (SELECT 1 FROM sys.indexes i WHERE i.[object_id] = OBJECT_ID(N'staging.lazada_transactions')
	AND (SELECT COUNT(*) FROM sys.index_columns ic WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] > 0) = 1
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 1 AND c.[name] = N'transaction_date'))
CREATE INDEX [IX_lazada_transactions_transaction_date] ON [staging].[lazada_transactions] ([transaction_date])
