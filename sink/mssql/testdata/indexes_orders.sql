IF NOT EXISTS (SELECT 1 FROM sys.indexes i WHERE i.[object_id] = OBJECT_ID(N'staging.shopee_orders')
	AND (SELECT COUNT(*) FROM sys.index_columns ic WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] > 0) = 1
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 1 AND c.[name] = N'update_time'))
CREATE INDEX [IX_shopee_orders_update_time] ON [staging].[shopee_orders] ([update_time]);
IF NOT EXISTS (SELECT 1 FROM sys.indexes i WHERE i.[object_id] = OBJECT_ID(N'staging.shopee_orders')
	AND (SELECT COUNT(*) FROM sys.index_columns ic WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] > 0) = 1
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 1 AND c.[name] = N'order_status'))
CREATE INDEX [IX_shopee_orders_order_status] ON [staging].[shopee_orders] ([order_status]);
IF NOT EXISTS (SELECT 1 FROM sys.indexes i WHERE i.[object_id] = OBJECT_ID(N'staging.shopee_orders')
	AND (SELECT COUNT(*) FROM sys.index_columns ic WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] > 0) = 1
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 1 AND c.[name] = N'create_time'))
CREATE INDEX [IX_shopee_orders_create_time] ON [staging].[shopee_orders] ([create_time]);
IF NOT EXISTS (SELECT 1 FROM sys.indexes i WHERE i.[object_id] = OBJECT_ID(N'staging.shopee_orders')
	AND (SELECT COUNT(*) FROM sys.index_columns ic WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] > 0) = 1
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 1 AND c.[name] = N'buyer_user_id'))
CREATE INDEX [IX_shopee_orders_buyer_user_id] ON [staging].[shopee_orders] ([buyer_user_id]);
IF NOT EXISTS (SELECT 1 FROM sys.indexes i WHERE i.[object_id] = OBJECT_ID(N'staging.shopee_orders')
	AND (SELECT COUNT(*) FROM sys.index_columns ic WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] > 0) = 1
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 1 AND c.[name] = N'etl_updated_at'))
CREATE INDEX [IX_shopee_orders_etl_updated] ON [staging].[shopee_orders] ([etl_updated_at]);
IF NOT EXISTS (SELECT 1 FROM sys.indexes i WHERE i.[object_id] = OBJECT_ID(N'staging.shopee_orders')
	AND (SELECT COUNT(*) FROM sys.index_columns ic WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] > 0) = 1
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 1 AND c.[name] = N'etl_batch_id'))
CREATE INDEX [IX_shopee_orders_etl_batch] ON [staging].[shopee_orders] ([etl_batch_id])
