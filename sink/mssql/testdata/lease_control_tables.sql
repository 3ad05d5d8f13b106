IF OBJECT_ID(N'etl_control.leases', N'U') IS NULL
CREATE TABLE [etl_control].[leases] (
	[pipeline] NVARCHAR(200) NOT NULL,
	[stream] NVARCHAR(200) NOT NULL,
	[holder] NVARCHAR(64) NOT NULL,
	[epoch] BIGINT NOT NULL,
	[expires_at] DATETIMEOFFSET(7) NOT NULL,
	[host] NVARCHAR(255) NULL,
	[pid] BIGINT NULL,
	[written_at] DATETIMEOFFSET(7) NULL,
	[succeeded_at] DATETIMEOFFSET(7) NULL,
	[succeeded_mode] NVARCHAR(20) NULL,
	CONSTRAINT [PK_leases] PRIMARY KEY CLUSTERED ([pipeline], [stream])
);
IF COL_LENGTH(N'etl_control.leases', N'succeeded_at') IS NULL
ALTER TABLE [etl_control].[leases] ADD [succeeded_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'etl_control.leases', N'succeeded_mode') IS NULL
ALTER TABLE [etl_control].[leases] ADD [succeeded_mode] NVARCHAR(20) NULL;
IF OBJECT_ID(N'etl_control.settings', N'U') IS NULL
CREATE TABLE [etl_control].[settings] (
	[name] NVARCHAR(100) NOT NULL,
	[value] NVARCHAR(400) NOT NULL,
	[updated_at] DATETIMEOFFSET(7) NOT NULL,
	CONSTRAINT [PK_settings] PRIMARY KEY CLUSTERED ([name])
);
INSERT INTO [etl_control].[settings] ([name], [value], [updated_at])
SELECT N'ddl_lock', N'', SYSDATETIMEOFFSET()
WHERE NOT EXISTS (SELECT 1 FROM [etl_control].[settings] WHERE [name] = N'ddl_lock')
