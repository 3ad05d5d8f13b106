UPDATE t SET t.[ver] = s.[ver], t.[status] = s.[status]
FROM [staging].[vs] AS t WITH (UPDLOCK, HOLDLOCK)
JOIN #etl_vs_41a9b80a AS s ON t.[order_id] = s.[order_id] AND t.[line_id] = s.[line_id]
WHERE (t.[ver] IS NULL OR (s.[ver] IS NOT NULL AND t.[ver] <= s.[ver])) AND EXISTS (SELECT s.[ver], s.[status] EXCEPT SELECT t.[ver], t.[status]);
INSERT INTO [staging].[vs] ([order_id], [line_id], [ver], [status])
SELECT s.[order_id], s.[line_id], s.[ver], s.[status] FROM #etl_vs_41a9b80a AS s
WHERE NOT EXISTS (SELECT 1 FROM [staging].[vs] AS t WITH (UPDLOCK, HOLDLOCK) WHERE t.[order_id] = s.[order_id] AND t.[line_id] = s.[line_id]);
