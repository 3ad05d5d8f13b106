UPDATE t SET t.[s] = s.[s], t.[i] = s.[i], t.[d] = s.[d], t.[b] = s.[b], t.[ts] = s.[ts], t.[j] = s.[j], t.[u] = s.[u]
FROM [staging].[typed] AS t WITH (UPDLOCK, HOLDLOCK)
JOIN #t AS s ON t.[k] = s.[k]
WHERE EXISTS (SELECT s.[s], s.[i], s.[d], s.[b], s.[ts], s.[j], s.[u] EXCEPT SELECT t.[s], t.[i], t.[d], t.[b], t.[ts], t.[j], t.[u]);
INSERT INTO [staging].[typed] ([k], [s], [i], [d], [b], [ts], [j], [u], [created])
SELECT s.[k], s.[s], s.[i], s.[d], s.[b], s.[ts], s.[j], s.[u], s.[created] FROM #t AS s
WHERE NOT EXISTS (SELECT 1 FROM [staging].[typed] AS t WITH (UPDLOCK, HOLDLOCK) WHERE t.[k] = s.[k]);
