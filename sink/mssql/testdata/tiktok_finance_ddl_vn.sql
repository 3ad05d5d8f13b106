IF OBJECT_ID(N'staging.tiktok_statements', N'U') IS NULL
CREATE TABLE [staging].[tiktok_statements] (
	[shop_id] NVARCHAR(100) NOT NULL,
	[statement_id] NVARCHAR(100) NOT NULL,
	[statement_time] DATETIME2(7) NULL,
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
	[payment_time] DATETIME2(7) NULL,
	[raw_json] NVARCHAR(MAX) NULL,
	[source_request_id] NVARCHAR(100) NULL,
	[etl_created_at] DATETIME2(7) NULL,
	[etl_updated_at] DATETIME2(7) NULL,
	[etl_batch_id] NVARCHAR(50) NULL,
	[etl_source] NVARCHAR(50) NULL,
	CONSTRAINT [PK_tiktok_statements] PRIMARY KEY CLUSTERED ([shop_id], [statement_id])
);
IF COL_LENGTH(N'staging.tiktok_statements', N'shop_id') IS NULL
ALTER TABLE [staging].[tiktok_statements] ADD [shop_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.tiktok_statements', N'statement_id') IS NULL
ALTER TABLE [staging].[tiktok_statements] ADD [statement_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.tiktok_statements', N'statement_time') IS NULL
ALTER TABLE [staging].[tiktok_statements] ADD [statement_time] DATETIME2(7) NULL;
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
ALTER TABLE [staging].[tiktok_statements] ADD [payment_time] DATETIME2(7) NULL;
IF COL_LENGTH(N'staging.tiktok_statements', N'raw_json') IS NULL
ALTER TABLE [staging].[tiktok_statements] ADD [raw_json] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.tiktok_statements', N'source_request_id') IS NULL
ALTER TABLE [staging].[tiktok_statements] ADD [source_request_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.tiktok_statements', N'etl_created_at') IS NULL
ALTER TABLE [staging].[tiktok_statements] ADD [etl_created_at] DATETIME2(7) NULL;
IF COL_LENGTH(N'staging.tiktok_statements', N'etl_updated_at') IS NULL
ALTER TABLE [staging].[tiktok_statements] ADD [etl_updated_at] DATETIME2(7) NULL;
IF COL_LENGTH(N'staging.tiktok_statements', N'etl_batch_id') IS NULL
ALTER TABLE [staging].[tiktok_statements] ADD [etl_batch_id] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.tiktok_statements', N'etl_source') IS NULL
ALTER TABLE [staging].[tiktok_statements] ADD [etl_source] NVARCHAR(50) NULL;
IF OBJECT_ID(N'staging.tiktok_statement_transactions', N'U') IS NULL
CREATE TABLE [staging].[tiktok_statement_transactions] (
	[shop_id] NVARCHAR(100) NOT NULL,
	[transaction_id] NVARCHAR(100) NOT NULL,
	[statement_id] NVARCHAR(100) NULL,
	[statement_time] DATETIME2(7) NULL,
	[transaction_type] NVARCHAR(200) NULL,
	[currency] NVARCHAR(10) NULL,
	[order_id] NVARCHAR(100) NULL,
	[order_create_time] DATETIME2(7) NULL,
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
	[estimated_release_time] DATETIME2(7) NULL,
	[revenue_breakdown] NVARCHAR(MAX) NULL,
	[shipping_cost_breakdown] NVARCHAR(MAX) NULL,
	[fee_tax_breakdown] NVARCHAR(MAX) NULL,
	[supplementary_component] NVARCHAR(MAX) NULL,
	[raw_json] NVARCHAR(MAX) NULL,
	[source_request_id] NVARCHAR(100) NULL,
	[etl_created_at] DATETIME2(7) NULL,
	[etl_updated_at] DATETIME2(7) NULL,
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
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [statement_time] DATETIME2(7) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'transaction_type') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [transaction_type] NVARCHAR(200) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'currency') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [currency] NVARCHAR(10) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'order_id') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [order_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'order_create_time') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [order_create_time] DATETIME2(7) NULL;
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
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [estimated_release_time] DATETIME2(7) NULL;
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
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [etl_created_at] DATETIME2(7) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'etl_updated_at') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [etl_updated_at] DATETIME2(7) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'etl_batch_id') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [etl_batch_id] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.tiktok_statement_transactions', N'etl_source') IS NULL
ALTER TABLE [staging].[tiktok_statement_transactions] ADD [etl_source] NVARCHAR(50) NULL;
IF OBJECT_ID(N'staging.tiktok_transaction_components', N'U') IS NULL
CREATE TABLE [staging].[tiktok_transaction_components] (
	[shop_id] NVARCHAR(100) NOT NULL,
	[transaction_id] NVARCHAR(100) NOT NULL,
	[component_group] NVARCHAR(50) NOT NULL,
	[code] NVARCHAR(150) NOT NULL,
	[amount] DECIMAL(18,4) NULL,
	[source_request_id] NVARCHAR(100) NULL,
	[etl_created_at] DATETIME2(7) NULL,
	[etl_updated_at] DATETIME2(7) NULL,
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
ALTER TABLE [staging].[tiktok_transaction_components] ADD [etl_created_at] DATETIME2(7) NULL;
IF COL_LENGTH(N'staging.tiktok_transaction_components', N'etl_updated_at') IS NULL
ALTER TABLE [staging].[tiktok_transaction_components] ADD [etl_updated_at] DATETIME2(7) NULL;
IF COL_LENGTH(N'staging.tiktok_transaction_components', N'etl_batch_id') IS NULL
ALTER TABLE [staging].[tiktok_transaction_components] ADD [etl_batch_id] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.tiktok_transaction_components', N'etl_source') IS NULL
ALTER TABLE [staging].[tiktok_transaction_components] ADD [etl_source] NVARCHAR(50) NULL;
IF OBJECT_ID(N'staging.tiktok_withdrawals', N'U') IS NULL
CREATE TABLE [staging].[tiktok_withdrawals] (
	[shop_id] NVARCHAR(100) NOT NULL,
	[withdrawal_id] NVARCHAR(100) NOT NULL,
	[withdrawal_type] NVARCHAR(50) NULL,
	[amount] DECIMAL(18,4) NULL,
	[currency] NVARCHAR(10) NULL,
	[status] NVARCHAR(50) NULL,
	[status_rank] BIGINT NULL,
	[create_time] DATETIME2(7) NULL,
	[raw_json] NVARCHAR(MAX) NULL,
	[source_request_id] NVARCHAR(100) NULL,
	[etl_created_at] DATETIME2(7) NULL,
	[etl_updated_at] DATETIME2(7) NULL,
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
ALTER TABLE [staging].[tiktok_withdrawals] ADD [create_time] DATETIME2(7) NULL;
IF COL_LENGTH(N'staging.tiktok_withdrawals', N'raw_json') IS NULL
ALTER TABLE [staging].[tiktok_withdrawals] ADD [raw_json] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.tiktok_withdrawals', N'source_request_id') IS NULL
ALTER TABLE [staging].[tiktok_withdrawals] ADD [source_request_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.tiktok_withdrawals', N'etl_created_at') IS NULL
ALTER TABLE [staging].[tiktok_withdrawals] ADD [etl_created_at] DATETIME2(7) NULL;
IF COL_LENGTH(N'staging.tiktok_withdrawals', N'etl_updated_at') IS NULL
ALTER TABLE [staging].[tiktok_withdrawals] ADD [etl_updated_at] DATETIME2(7) NULL;
IF COL_LENGTH(N'staging.tiktok_withdrawals', N'etl_batch_id') IS NULL
ALTER TABLE [staging].[tiktok_withdrawals] ADD [etl_batch_id] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.tiktok_withdrawals', N'etl_source') IS NULL
ALTER TABLE [staging].[tiktok_withdrawals] ADD [etl_source] NVARCHAR(50) NULL
