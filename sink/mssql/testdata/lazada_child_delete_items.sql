DELETE c FROM [staging].[lazada_order_items] AS c
WHERE EXISTS (SELECT 1 FROM #etl_lazada_orders_0734d57f AS p WHERE p.[seller_id] = c.[seller_id] AND p.[order_id] = c.[order_id])
AND NOT EXISTS (SELECT 1 FROM #etl_lazada_order_items_c3cf9aa9 AS k WHERE k.[seller_id] = c.[seller_id] AND k.[order_item_id] = c.[order_item_id])
