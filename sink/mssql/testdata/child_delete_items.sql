DELETE c FROM [staging].[shopee_order_items] AS c
WHERE EXISTS (SELECT 1 FROM #etl_shopee_orders_d459e3ec AS p WHERE p.[order_sn] = c.[order_sn])
AND NOT EXISTS (SELECT 1 FROM #etl_shopee_order_items_2e87c2dd AS k WHERE k.[order_sn] = c.[order_sn] AND k.[order_item_id] = c.[order_item_id] AND k.[model_id] = c.[model_id])
