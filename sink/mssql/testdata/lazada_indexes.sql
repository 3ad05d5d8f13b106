IF NOT EXISTS (SELECT 1 FROM sys.indexes i WHERE i.[object_id] = OBJECT_ID(N'staging.lazada_orders')
	AND (SELECT COUNT(*) FROM sys.index_columns ic WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] > 0) = 1
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 1 AND c.[name] = N'updated_at'))
CREATE INDEX [IX_lazada_orders_updated_at] ON [staging].[lazada_orders] ([updated_at]);
IF NOT EXISTS (SELECT 1 FROM sys.indexes i WHERE i.[object_id] = OBJECT_ID(N'staging.lazada_orders')
	AND (SELECT COUNT(*) FROM sys.index_columns ic WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] > 0) = 1
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 1 AND c.[name] = N'created_at'))
CREATE INDEX [IX_lazada_orders_created_at] ON [staging].[lazada_orders] ([created_at]);
IF NOT EXISTS (SELECT 1 FROM sys.indexes i WHERE i.[object_id] = OBJECT_ID(N'staging.lazada_orders')
	AND (SELECT COUNT(*) FROM sys.index_columns ic WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] > 0) = 1
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 1 AND c.[name] = N'status'))
CREATE INDEX [IX_lazada_orders_status] ON [staging].[lazada_orders] ([status]);
IF NOT EXISTS (SELECT 1 FROM sys.indexes i WHERE i.[object_id] = OBJECT_ID(N'staging.lazada_order_items')
	AND (SELECT COUNT(*) FROM sys.index_columns ic WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] > 0) = 2
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 1 AND c.[name] = N'seller_id')
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 2 AND c.[name] = N'order_id'))
CREATE INDEX [IX_lazada_order_items_parent] ON [staging].[lazada_order_items] ([seller_id], [order_id]);
IF NOT EXISTS (SELECT 1 FROM sys.indexes i WHERE i.[object_id] = OBJECT_ID(N'staging.lazada_order_items')
	AND (SELECT COUNT(*) FROM sys.index_columns ic WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] > 0) = 1
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 1 AND c.[name] = N'updated_at'))
CREATE INDEX [IX_lazada_order_items_updated_at] ON [staging].[lazada_order_items] ([updated_at]);
IF NOT EXISTS (SELECT 1 FROM sys.indexes i WHERE i.[object_id] = OBJECT_ID(N'staging.lazada_order_items')
	AND (SELECT COUNT(*) FROM sys.index_columns ic WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] > 0) = 1
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 1 AND c.[name] = N'created_at'))
CREATE INDEX [IX_lazada_order_items_created_at] ON [staging].[lazada_order_items] ([created_at]);
IF NOT EXISTS (SELECT 1 FROM sys.indexes i WHERE i.[object_id] = OBJECT_ID(N'staging.lazada_order_items')
	AND (SELECT COUNT(*) FROM sys.index_columns ic WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] > 0) = 1
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 1 AND c.[name] = N'status'))
CREATE INDEX [IX_lazada_order_items_status] ON [staging].[lazada_order_items] ([status])
