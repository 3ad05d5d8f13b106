MERGE [staging].[vl] WITH (HOLDLOCK) AS t
USING #etl_vl_bc31ef43 AS s
ON t.[id] = s.[id] AND t.[n] = s.[n]
WHEN NOT MATCHED BY TARGET THEN
	INSERT ([id], [n]) VALUES (s.[id], s.[n]);
