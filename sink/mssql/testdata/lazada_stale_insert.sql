INSERT INTO #etl_stale_lazada_orders_0734d57f ([seller_id], [order_id])
SELECT DISTINCT s.[seller_id], s.[order_id] FROM #etl_lazada_orders_0734d57f AS s
JOIN [staging].[lazada_orders] AS t ON t.[seller_id] = s.[seller_id] AND t.[order_id] = s.[order_id]
WHERE t.[updated_at] IS NOT NULL AND (s.[updated_at] IS NULL OR t.[updated_at] > s.[updated_at])
