IF OBJECT_ID(N'etl_control.settings', N'U') IS NOT NULL
UPDATE [etl_control].[settings] SET [updated_at] = SYSDATETIMEOFFSET() WHERE [name] = N'ddl_lock'
