INSERT INTO [etl_control].[settings] ([name], [value], [updated_at])
SELECT N'time_basis', @p1, SYSDATETIMEOFFSET()
WHERE NOT EXISTS (SELECT 1 FROM [etl_control].[settings] WHERE [name] = N'time_basis')
