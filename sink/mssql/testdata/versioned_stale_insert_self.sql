INSERT INTO #etl_stale_vs_41a9b80a ([order_id])
SELECT DISTINCT s.[order_id] FROM #etl_vs_41a9b80a AS s
JOIN [staging].[vs] AS t ON t.[order_id] = s.[order_id]
WHERE t.[ver] IS NOT NULL AND (s.[ver] IS NULL OR t.[ver] > s.[ver])
