DELETE c FROM [staging].[order_lines] AS c
WHERE EXISTS (SELECT 1 FROM #etl_order_lines_7f8ca274 AS p WHERE p.[order_id] = c.[order_id])
AND NOT EXISTS (SELECT 1 FROM #etl_order_lines_7f8ca274 AS k WHERE k.[order_id] = c.[order_id] AND k.[item_id] = c.[item_id])
