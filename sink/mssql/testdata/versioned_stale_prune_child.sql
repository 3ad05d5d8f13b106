DELETE c FROM #etl_vl_bc31ef43 AS c
WHERE EXISTS (SELECT 1 FROM #etl_stale_vo_1a7d4637 AS x WHERE x.[id] = c.[id])
