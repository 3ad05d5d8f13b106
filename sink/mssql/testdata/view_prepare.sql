IF OBJECT_ID(N'etl_control.settings', N'U') IS NOT NULL
UPDATE [etl_control].[settings] SET [updated_at] = SYSDATETIMEOFFSET() WHERE [name] = N'ddl_lock';
IF OBJECT_ID(N'etl_control.view_parts', N'U') IS NULL CREATE TABLE [etl_control].[view_parts] (
	[view_name] NVARCHAR(200) NOT NULL,
	[part] NVARCHAR(200) NOT NULL,
	[columns_json] NVARCHAR(MAX) NOT NULL,
	[select_sql] NVARCHAR(MAX) NOT NULL,
	[updated_at] DATETIMEOFFSET(7) NOT NULL,
	PRIMARY KEY ([view_name], [part]));
DELETE FROM [etl_control].[view_parts] WHERE [view_name] = @p1 AND [part] = @p2;
INSERT INTO [etl_control].[view_parts] ([view_name], [part], [columns_json], [select_sql], [updated_at]) VALUES (@p1, @p2, @p3, @p4, SYSDATETIMEOFFSET());
DROP VIEW IF EXISTS [stg].[st_view];
CREATE VIEW [stg].[st_view] AS
SELECT CAST(p.[id] AS NVARCHAR(64)) AS [id], CAST(p.[amount] AS DECIMAL(18,4)) AS [amount], CAST(p.[paid_at] AS DATETIMEOFFSET(7)) AS [paid_at] FROM (SELECT CAST(id AS NVARCHAR(4000)) AS id, SUM(fee) AS amount, CAST(NULL AS DATETIMEOFFSET(7)) AS paid_at FROM [stg].[st_a] WHERE paid = 1 GROUP BY id) p
