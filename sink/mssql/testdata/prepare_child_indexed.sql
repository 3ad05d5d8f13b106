IF SCHEMA_ID(N'staging') IS NULL EXEC(N'CREATE SCHEMA [staging]');
IF OBJECT_ID(N'staging.lines', N'U') IS NULL
CREATE TABLE [staging].[lines] (
	[line_id] BIGINT NOT NULL,
	[order_sn] NVARCHAR(50) NULL,
	CONSTRAINT [PK_lines] PRIMARY KEY CLUSTERED ([line_id])
);
IF COL_LENGTH(N'staging.lines', N'line_id') IS NULL
ALTER TABLE [staging].[lines] ADD [line_id] BIGINT NULL;
IF COL_LENGTH(N'staging.lines', N'order_sn') IS NULL
ALTER TABLE [staging].[lines] ADD [order_sn] NVARCHAR(50) NULL;
IF NOT EXISTS (SELECT 1 FROM sys.indexes i WHERE i.[object_id] = OBJECT_ID(N'staging.lines')
	AND (SELECT COUNT(*) FROM sys.index_columns ic WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] > 0) = 1
	AND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id] WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = 1 AND c.[name] = N'order_sn'))
CREATE INDEX [IX_lines_parent] ON [staging].[lines] ([order_sn])
