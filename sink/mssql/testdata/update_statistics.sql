UPDATE STATISTICS [staging].[shopee_order_items]
