DELETE c FROM #etl_lazada_order_items_c3cf9aa9 AS c
WHERE EXISTS (SELECT 1 FROM #etl_stale_lazada_orders_0734d57f AS x WHERE x.[seller_id] = c.[seller_id] AND x.[order_id] = c.[order_id])
