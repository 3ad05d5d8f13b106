MERGE [staging].[vs] WITH (HOLDLOCK) AS t
USING #etl_vs_41a9b80a AS s
ON t.[order_id] = s.[order_id] AND t.[line_id] = s.[line_id]
WHEN MATCHED AND (t.[ver] IS NULL OR (s.[ver] IS NOT NULL AND t.[ver] <= s.[ver])) AND EXISTS (SELECT s.[ver], s.[status] EXCEPT SELECT t.[ver], t.[status]) THEN
	UPDATE SET [ver] = s.[ver], [status] = s.[status]
WHEN NOT MATCHED BY TARGET THEN
	INSERT ([order_id], [line_id], [ver], [status]) VALUES (s.[order_id], s.[line_id], s.[ver], s.[status]);
