IF OBJECT_ID(N'tempdb..#etl_shopee_order_items_2e87c2dd') IS NOT NULL DROP TABLE #etl_shopee_order_items_2e87c2dd
