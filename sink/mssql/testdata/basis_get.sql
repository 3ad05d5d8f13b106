SELECT [value] FROM [etl_control].[settings] WHERE [name] = N'time_basis'
