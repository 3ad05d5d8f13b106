SELECT SYSDATETIMEOFFSET(), [l].[pipeline], [l].[stream], [l].[succeeded_at], [l].[succeeded_mode]
FROM (SELECT 1 AS [one]) AS [o]
LEFT JOIN [etl_control].[leases] AS [l] ON [l].[succeeded_at] IS NOT NULL AND [l].[pipeline] IN (@p1, @p2, @p3)
