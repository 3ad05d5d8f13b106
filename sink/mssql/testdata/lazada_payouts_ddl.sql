IF OBJECT_ID(N'staging.lazada_payouts', N'U') IS NULL
CREATE TABLE [staging].[lazada_payouts] (
	[seller_id] NVARCHAR(50) NOT NULL,
	[statement_number] NVARCHAR(100) NOT NULL,
	[created_at] DATETIMEOFFSET(7) NULL,
	[updated_at] DATETIMEOFFSET(7) NULL,
	[period_end] NVARCHAR(10) NULL,
	[opening_balance] DECIMAL(18,4) NULL,
	[closing_balance] DECIMAL(18,4) NULL,
	[item_revenue] DECIMAL(18,4) NULL,
	[other_revenue_total] DECIMAL(18,4) NULL,
	[fees_total] DECIMAL(18,4) NULL,
	[subtotal1] DECIMAL(18,4) NULL,
	[refunds] DECIMAL(18,4) NULL,
	[fees_on_refunds_total] DECIMAL(18,4) NULL,
	[subtotal2] DECIMAL(18,4) NULL,
	[shipment_fee] DECIMAL(18,4) NULL,
	[shipment_fee_credit] DECIMAL(18,4) NULL,
	[guarantee_deposit] DECIMAL(18,4) NULL,
	[payout] DECIMAL(18,4) NULL,
	[payout_currency] NVARCHAR(10) NULL,
	[paid] BIT NULL,
	[statement_version] BIGINT NULL,
	[currency] NVARCHAR(10) NULL,
	[raw_json] NVARCHAR(MAX) NULL,
	[request_id] NVARCHAR(64) NULL,
	[etl_created_at] DATETIMEOFFSET(7) NULL,
	[etl_updated_at] DATETIMEOFFSET(7) NULL,
	[etl_batch_id] NVARCHAR(50) NULL,
	CONSTRAINT [PK_lazada_payouts] PRIMARY KEY CLUSTERED ([seller_id], [statement_number])
);
IF COL_LENGTH(N'staging.lazada_payouts', N'seller_id') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [seller_id] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'statement_number') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [statement_number] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'created_at') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [created_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'updated_at') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [updated_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'period_end') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [period_end] NVARCHAR(10) NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'opening_balance') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [opening_balance] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'closing_balance') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [closing_balance] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'item_revenue') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [item_revenue] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'other_revenue_total') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [other_revenue_total] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'fees_total') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [fees_total] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'subtotal1') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [subtotal1] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'refunds') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [refunds] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'fees_on_refunds_total') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [fees_on_refunds_total] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'subtotal2') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [subtotal2] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'shipment_fee') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [shipment_fee] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'shipment_fee_credit') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [shipment_fee_credit] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'guarantee_deposit') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [guarantee_deposit] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'payout') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [payout] DECIMAL(18,4) NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'payout_currency') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [payout_currency] NVARCHAR(10) NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'paid') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [paid] BIT NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'statement_version') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [statement_version] BIGINT NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'currency') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [currency] NVARCHAR(10) NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'raw_json') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [raw_json] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'request_id') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [request_id] NVARCHAR(64) NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'etl_created_at') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [etl_created_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'etl_updated_at') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [etl_updated_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'etl_batch_id') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [etl_batch_id] NVARCHAR(50) NULL;
IF NOT EXISTS (SELECT 1 FROM sys.indexes i WHERE i.[object_id] = OBJECT_ID(N'staging.lazada_payouts')
	AND (SELECT COUNT(*) FROM sys.index_columns ic WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] > 0) = 1
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 1 AND c.[name] = N'period_end'))
CREATE INDEX [IX_lazada_payouts_period_end] ON [staging].[lazada_payouts] ([period_end])
