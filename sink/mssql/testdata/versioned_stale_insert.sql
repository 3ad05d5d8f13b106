INSERT INTO #etl_stale_vo_1a7d4637 ([id])
SELECT DISTINCT s.[id] FROM #etl_vo_1a7d4637 AS s
JOIN [staging].[vo] AS t ON t.[id] = s.[id]
WHERE t.[ver] IS NOT NULL AND (s.[ver] IS NULL OR t.[ver] > s.[ver])
