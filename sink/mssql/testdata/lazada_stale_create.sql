IF OBJECT_ID(N'tempdb..#etl_stale_lazada_orders_0734d57f') IS NOT NULL DROP TABLE #etl_stale_lazada_orders_0734d57f;
CREATE TABLE #etl_stale_lazada_orders_0734d57f ([seller_id] NVARCHAR(50) NOT NULL, [order_id] BIGINT NOT NULL)
