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
	[etl_created_at] DATETIME2(7) NULL,
	[etl_updated_at] DATETIME2(7) NULL,
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
ALTER TABLE [staging].[lazada_transactions] ADD [etl_created_at] DATETIME2(7) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'etl_updated_at') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [etl_updated_at] DATETIME2(7) NULL;
IF COL_LENGTH(N'staging.lazada_transactions', N'etl_batch_id') IS NULL
ALTER TABLE [staging].[lazada_transactions] ADD [etl_batch_id] NVARCHAR(50) NULL;
IF OBJECT_ID(N'staging.lazada_payouts', N'U') IS NULL
CREATE TABLE [staging].[lazada_payouts] (
	[seller_id] NVARCHAR(50) NOT NULL,
	[statement_number] NVARCHAR(100) NOT NULL,
	[created_at] DATETIME2(7) NULL,
	[updated_at] DATETIME2(7) NULL,
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
	[etl_created_at] DATETIME2(7) NULL,
	[etl_updated_at] DATETIME2(7) NULL,
	[etl_batch_id] NVARCHAR(50) NULL,
	CONSTRAINT [PK_lazada_payouts] PRIMARY KEY CLUSTERED ([seller_id], [statement_number])
);
IF COL_LENGTH(N'staging.lazada_payouts', N'seller_id') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [seller_id] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'statement_number') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [statement_number] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'created_at') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [created_at] DATETIME2(7) NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'updated_at') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [updated_at] DATETIME2(7) NULL;
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
ALTER TABLE [staging].[lazada_payouts] ADD [etl_created_at] DATETIME2(7) NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'etl_updated_at') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [etl_updated_at] DATETIME2(7) NULL;
IF COL_LENGTH(N'staging.lazada_payouts', N'etl_batch_id') IS NULL
ALTER TABLE [staging].[lazada_payouts] ADD [etl_batch_id] NVARCHAR(50) NULL
