UPDATE t SET t.[ver] = s.[ver], t.[status] = s.[status]
FROM [staging].[vo] AS t WITH (UPDLOCK, HOLDLOCK)
JOIN #etl_vo_1a7d4637 AS s ON t.[id] = s.[id]
WHERE (t.[ver] IS NULL OR (s.[ver] IS NOT NULL AND t.[ver] <= s.[ver])) AND EXISTS (SELECT s.[ver], s.[status] EXCEPT SELECT t.[ver], t.[status]);
INSERT INTO [staging].[vo] ([id], [ver], [status])
SELECT s.[id], s.[ver], s.[status] FROM #etl_vo_1a7d4637 AS s
WHERE NOT EXISTS (SELECT 1 FROM [staging].[vo] AS t WITH (UPDLOCK, HOLDLOCK) WHERE t.[id] = s.[id]);
