IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_shopee_orders_update_time' AND object_id = OBJECT_ID(N'staging.shopee_orders'))
CREATE INDEX [IX_shopee_orders_update_time] ON [staging].[shopee_orders] ([update_time]);
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_shopee_orders_order_status' AND object_id = OBJECT_ID(N'staging.shopee_orders'))
CREATE INDEX [IX_shopee_orders_order_status] ON [staging].[shopee_orders] ([order_status]);
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_shopee_orders_create_time' AND object_id = OBJECT_ID(N'staging.shopee_orders'))
CREATE INDEX [IX_shopee_orders_create_time] ON [staging].[shopee_orders] ([create_time]);
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_shopee_orders_buyer_user_id' AND object_id = OBJECT_ID(N'staging.shopee_orders'))
CREATE INDEX [IX_shopee_orders_buyer_user_id] ON [staging].[shopee_orders] ([buyer_user_id]);
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_shopee_orders_etl_updated' AND object_id = OBJECT_ID(N'staging.shopee_orders'))
CREATE INDEX [IX_shopee_orders_etl_updated] ON [staging].[shopee_orders] ([etl_updated_at]);
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_shopee_orders_etl_batch' AND object_id = OBJECT_ID(N'staging.shopee_orders'))
CREATE INDEX [IX_shopee_orders_etl_batch] ON [staging].[shopee_orders] ([etl_batch_id])
