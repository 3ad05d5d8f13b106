DELETE c FROM #etl_vs_41a9b80a AS c
WHERE EXISTS (SELECT 1 FROM #etl_stale_vs_41a9b80a AS x WHERE x.[order_id] = c.[order_id])
