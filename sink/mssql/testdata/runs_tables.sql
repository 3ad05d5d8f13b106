IF SCHEMA_ID(N'etl_control') IS NULL EXEC(N'CREATE SCHEMA [etl_control]');
IF OBJECT_ID(N'etl_control.batch_runs', N'U') IS NULL
CREATE TABLE [etl_control].[batch_runs] (
	[batch_id] UNIQUEIDENTIFIER NOT NULL DEFAULT NEWID(),
	[data_source] NVARCHAR(50) NOT NULL,
	[table_name] NVARCHAR(100) NOT NULL,
	[start_time] DATETIMEOFFSET(7) NULL DEFAULT SYSDATETIMEOFFSET(),
	[end_time] DATETIMEOFFSET(7) NULL,
	[status] NVARCHAR(20) NULL CONSTRAINT [CK_batch_runs_status] CHECK ([status] IN (N'RUNNING', N'SUCCESS', N'FAILED', N'CANCELLED', N'ABANDONED', N'FRESH')),
	[records_extracted] INT NULL DEFAULT 0,
	[records_loaded] INT NULL DEFAULT 0,
	[error_message] NVARCHAR(MAX) NULL,
	[created_by] NVARCHAR(50) NULL DEFAULT N'facolos_etl_system',
	[pipeline] NVARCHAR(200) NULL,
	[account] NVARCHAR(200) NULL,
	[records_rejected] INT NULL DEFAULT 0,
	[taken_over_by] UNIQUEIDENTIFIER NULL,
	CONSTRAINT [PK_batch_runs] PRIMARY KEY CLUSTERED ([batch_id])
);
IF OBJECT_ID(N'etl_control.data_sources', N'U') IS NULL
CREATE TABLE [etl_control].[data_sources] (
	[source_id] NVARCHAR(200) NOT NULL,
	[source_name] NVARCHAR(200) NOT NULL,
	[source_type] NVARCHAR(50) NOT NULL,
	[is_active] BIT NULL DEFAULT 1,
	[last_extract_time] DATETIMEOFFSET(7) NULL,
	[extract_frequency_hours] INT NULL DEFAULT 6,
	[created_at] DATETIMEOFFSET(7) NULL DEFAULT SYSDATETIMEOFFSET(),
	[updated_at] DATETIMEOFFSET(7) NULL DEFAULT SYSDATETIMEOFFSET(),
	CONSTRAINT [PK_data_sources] PRIMARY KEY CLUSTERED ([source_id])
);
IF COL_LENGTH(N'etl_control.batch_runs', N'pipeline') IS NULL
ALTER TABLE [etl_control].[batch_runs] ADD [pipeline] NVARCHAR(200) NULL;
IF COL_LENGTH(N'etl_control.batch_runs', N'account') IS NULL
ALTER TABLE [etl_control].[batch_runs] ADD [account] NVARCHAR(200) NULL;
IF COL_LENGTH(N'etl_control.batch_runs', N'records_rejected') IS NULL
ALTER TABLE [etl_control].[batch_runs] ADD [records_rejected] INT NULL;
IF COL_LENGTH(N'etl_control.batch_runs', N'taken_over_by') IS NULL
ALTER TABLE [etl_control].[batch_runs] ADD [taken_over_by] UNIQUEIDENTIFIER NULL;
DECLARE @ck SYSNAME;
SELECT TOP 1 @ck = [name] FROM sys.check_constraints
WHERE [parent_object_id] = OBJECT_ID(N'etl_control.batch_runs') AND [definition] LIKE N'%RUNNING%' AND [definition] NOT LIKE N'%ABANDONED%';
IF @ck IS NOT NULL
BEGIN
	DECLARE @drop NVARCHAR(MAX) = N'ALTER TABLE [etl_control].[batch_runs] DROP CONSTRAINT ' + QUOTENAME(@ck);
	EXEC (@drop);
	ALTER TABLE [etl_control].[batch_runs] ADD CONSTRAINT [CK_batch_runs_status] CHECK ([status] IN (N'RUNNING', N'SUCCESS', N'FAILED', N'CANCELLED', N'ABANDONED', N'FRESH'));
END
