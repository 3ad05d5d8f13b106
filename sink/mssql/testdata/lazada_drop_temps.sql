IF OBJECT_ID(N'tempdb..#etl_lazada_orders_0734d57f') IS NOT NULL DROP TABLE #etl_lazada_orders_0734d57f;
IF OBJECT_ID(N'tempdb..#etl_stale_lazada_orders_0734d57f') IS NOT NULL DROP TABLE #etl_stale_lazada_orders_0734d57f;
IF OBJECT_ID(N'tempdb..#etl_lazada_order_items_c3cf9aa9') IS NOT NULL DROP TABLE #etl_lazada_order_items_c3cf9aa9
