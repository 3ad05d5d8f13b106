IF COL_LENGTH(N'staging.shopee_orders', N'hot_listing_order') IS NULL
ALTER TABLE [staging].[shopee_orders] ADD [hot_listing_order] BIT NULL
