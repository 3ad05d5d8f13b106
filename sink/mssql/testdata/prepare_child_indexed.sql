IF SCHEMA_ID(N'staging') IS NULL EXEC(N'CREATE SCHEMA [staging]');
IF OBJECT_ID(N'staging.lines', N'U') IS NULL
CREATE TABLE [staging].[lines] (
	[line_id] BIGINT NOT NULL,
	[order_sn] NVARCHAR(50) NOT NULL,
	CONSTRAINT [PK_lines] PRIMARY KEY CLUSTERED ([line_id])
);
IF COL_LENGTH(N'staging.lines', N'line_id') IS NULL
ALTER TABLE [staging].[lines] ADD [line_id] BIGINT NULL;
IF COL_LENGTH(N'staging.lines', N'order_sn') IS NULL
ALTER TABLE [staging].[lines] ADD [order_sn] NVARCHAR(50) NULL;
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_lines_parent' AND object_id = OBJECT_ID(N'staging.lines'))
CREATE INDEX [IX_lines_parent] ON [staging].[lines] ([order_sn])
