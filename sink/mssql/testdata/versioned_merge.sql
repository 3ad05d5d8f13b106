MERGE [staging].[vo] WITH (HOLDLOCK) AS t
USING #etl_vo_1a7d4637 AS s
ON t.[id] = s.[id]
WHEN MATCHED AND (t.[ver] IS NULL OR (s.[ver] IS NOT NULL AND t.[ver] <= s.[ver])) AND EXISTS (SELECT s.[ver], s.[status] EXCEPT SELECT t.[ver], t.[status]) THEN
	UPDATE SET [ver] = s.[ver], [status] = s.[status]
WHEN NOT MATCHED BY TARGET THEN
	INSERT ([id], [ver], [status]) VALUES (s.[id], s.[ver], s.[status]);
