IF OBJECT_ID(N'staging.shopee_wallet_transactions', N'U') IS NULL
CREATE TABLE [staging].[shopee_wallet_transactions] (
	[shop_id] BIGINT NOT NULL,
	[transaction_key] NVARCHAR(100) NOT NULL,
	[transaction_id] BIGINT NULL,
	[status] NVARCHAR(20) NULL,
	[transaction_type] NVARCHAR(100) NULL,
	[amount] DECIMAL(18,4) NULL,
	[current_balance] DECIMAL(18,4) NULL,
	[create_time] DATETIMEOFFSET(7) NULL,
	[order_sn] NVARCHAR(50) NULL,
	[refund_sn] NVARCHAR(50) NULL,
	[withdrawal_type] NVARCHAR(50) NULL,
	[transaction_fee] DECIMAL(18,4) NULL,
	[description] NVARCHAR(MAX) NULL,
	[buyer_name] NVARCHAR(100) NULL,
	[pay_order_list] NVARCHAR(MAX) NULL,
	[shop_name] NVARCHAR(200) NULL,
	[withdrawal_id] BIGINT NULL,
	[root_withdrawal_id] BIGINT NULL,
	[reason] NVARCHAR(MAX) NULL,
	[transaction_tab_type] NVARCHAR(100) NULL,
	[money_flow] NVARCHAR(20) NULL,
	[txn_title] NVARCHAR(200) NULL,
	[outlet_shop_name] NVARCHAR(200) NULL,
	[raw_json] NVARCHAR(MAX) NULL,
	[source_request_id] NVARCHAR(100) NULL,
	[ingested_at] DATETIMEOFFSET(7) NULL,
	[etl_created_at] DATETIMEOFFSET(7) NULL,
	[etl_updated_at] DATETIMEOFFSET(7) NULL,
	[etl_batch_id] NVARCHAR(50) NULL,
	[etl_source] NVARCHAR(50) NULL,
	CONSTRAINT [PK_shopee_wallet_transactions] PRIMARY KEY CLUSTERED ([shop_id], [transaction_key])
);
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'shop_id') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [shop_id] BIGINT NULL;
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'transaction_key') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [transaction_key] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'transaction_id') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [transaction_id] BIGINT NULL;
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'status') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [status] NVARCHAR(20) NULL;
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'transaction_type') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [transaction_type] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'amount') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [amount] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'current_balance') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [current_balance] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'create_time') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [create_time] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'order_sn') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [order_sn] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'refund_sn') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [refund_sn] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'withdrawal_type') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [withdrawal_type] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'transaction_fee') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [transaction_fee] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'description') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [description] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'buyer_name') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [buyer_name] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'pay_order_list') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [pay_order_list] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'shop_name') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [shop_name] NVARCHAR(200) NULL;
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'withdrawal_id') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [withdrawal_id] BIGINT NULL;
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'root_withdrawal_id') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [root_withdrawal_id] BIGINT NULL;
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'reason') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [reason] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'transaction_tab_type') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [transaction_tab_type] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'money_flow') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [money_flow] NVARCHAR(20) NULL;
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'txn_title') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [txn_title] NVARCHAR(200) NULL;
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'outlet_shop_name') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [outlet_shop_name] NVARCHAR(200) NULL;
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'raw_json') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [raw_json] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'source_request_id') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [source_request_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'ingested_at') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [ingested_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'etl_created_at') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [etl_created_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'etl_updated_at') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [etl_updated_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'etl_batch_id') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [etl_batch_id] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.shopee_wallet_transactions', N'etl_source') IS NULL
ALTER TABLE [staging].[shopee_wallet_transactions] ADD [etl_source] NVARCHAR(50) NULL;
IF NOT EXISTS (SELECT 1 FROM sys.indexes i WHERE i.[object_id] = OBJECT_ID(N'staging.shopee_wallet_transactions')
	AND (SELECT COUNT(*) FROM sys.index_columns ic WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] > 0) = 1
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 1 AND c.[name] = N'create_time'))
CREATE INDEX [IX_shopee_wallet_transactions_create_time] ON [staging].[shopee_wallet_transactions] ([create_time]);
IF NOT EXISTS (SELECT 1 FROM sys.indexes i WHERE i.[object_id] = OBJECT_ID(N'staging.shopee_wallet_transactions')
	AND (SELECT COUNT(*) FROM sys.index_columns ic WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] > 0) = 1
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 1 AND c.[name] = N'order_sn'))
CREATE INDEX [IX_shopee_wallet_transactions_order_sn] ON [staging].[shopee_wallet_transactions] ([order_sn])
