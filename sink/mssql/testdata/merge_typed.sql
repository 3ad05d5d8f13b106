MERGE [staging].[typed] WITH (HOLDLOCK) AS t
USING #t AS s
ON t.[k] = s.[k]
WHEN MATCHED AND EXISTS (SELECT s.[s], s.[i], s.[d], s.[b], s.[ts], s.[j], s.[u] EXCEPT SELECT t.[s], t.[i], t.[d], t.[b], t.[ts], t.[j], t.[u]) THEN
	UPDATE SET [s] = s.[s], [i] = s.[i], [d] = s.[d], [b] = s.[b], [ts] = s.[ts], [j] = s.[j], [u] = s.[u]
WHEN NOT MATCHED BY TARGET THEN
	INSERT ([k], [s], [i], [d], [b], [ts], [j], [u], [created]) VALUES (s.[k], s.[s], s.[i], s.[d], s.[b], s.[ts], s.[j], s.[u], s.[created]);
