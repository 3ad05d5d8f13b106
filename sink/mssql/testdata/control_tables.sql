IF SCHEMA_ID(N'etl_control') IS NULL EXEC(N'CREATE SCHEMA [etl_control]');
IF OBJECT_ID(N'etl_control.checkpoints', N'U') IS NULL
CREATE TABLE [etl_control].[checkpoints] (
	[pipeline] NVARCHAR(200) NOT NULL,
	[stream] NVARCHAR(200) NOT NULL,
	[checkpoint] NVARCHAR(MAX) NOT NULL,
	[updated_at] DATETIMEOFFSET(7) NOT NULL,
	CONSTRAINT [PK_checkpoints] PRIMARY KEY CLUSTERED ([pipeline], [stream])
);
IF OBJECT_ID(N'etl_control.rejected_records', N'U') IS NULL
CREATE TABLE [etl_control].[rejected_records] (
	[id] BIGINT IDENTITY(1,1) NOT NULL,
	[pipeline] NVARCHAR(200) NOT NULL,
	[stream] NVARCHAR(200) NOT NULL,
	[record_key] NVARCHAR(450) NULL,
	[reason] NVARCHAR(MAX) NOT NULL,
	[payload] NVARCHAR(MAX) NULL,
	[run_id] NVARCHAR(50) NULL,
	[rejected_at] DATETIMEOFFSET(7) NOT NULL,
	[payload_encoding] NVARCHAR(20) NULL,
	CONSTRAINT [PK_rejected_records] PRIMARY KEY CLUSTERED ([id])
);
IF COL_LENGTH(N'etl_control.rejected_records', N'payload_encoding') IS NULL
ALTER TABLE [etl_control].[rejected_records] ADD [payload_encoding] NVARCHAR(20) NULL
