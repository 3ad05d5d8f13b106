IF SCHEMA_ID(N'etl_control') IS NULL EXEC(N'CREATE SCHEMA [etl_control]');
IF OBJECT_ID(N'etl_control.api_token_storage', N'U') IS NULL
CREATE TABLE [etl_control].[api_token_storage] (
	[platform] NVARCHAR(50) NOT NULL,
	[account] NVARCHAR(100) NOT NULL DEFAULT N'',
	[access_token] NVARCHAR(MAX) NOT NULL,
	[refresh_token] NVARCHAR(MAX) NULL,
	[expires_at] DATETIME2(7) NULL,
	[refresh_expires_at] DATETIME2(7) NULL,
	[shop_cipher] NVARCHAR(255) NULL,
	[version] BIGINT NOT NULL DEFAULT 0,
	[locked_until] DATETIME2(7) NULL,
	[last_updated] DATETIME2(7) NULL DEFAULT SYSUTCDATETIME(),
	CONSTRAINT [PK_api_token_storage] PRIMARY KEY ([platform], [account])
);
IF COL_LENGTH(N'etl_control.api_token_storage', N'account') IS NULL ALTER TABLE [etl_control].[api_token_storage] ADD [account] NVARCHAR(100) NOT NULL DEFAULT N'';
IF COL_LENGTH(N'etl_control.api_token_storage', N'refresh_expires_at') IS NULL ALTER TABLE [etl_control].[api_token_storage] ADD [refresh_expires_at] DATETIME2(7) NULL;
IF COL_LENGTH(N'etl_control.api_token_storage', N'version') IS NULL ALTER TABLE [etl_control].[api_token_storage] ADD [version] BIGINT NOT NULL DEFAULT 0;
IF COL_LENGTH(N'etl_control.api_token_storage', N'locked_until') IS NULL ALTER TABLE [etl_control].[api_token_storage] ADD [locked_until] DATETIME2(7) NULL;
IF COL_LENGTH(N'etl_control.api_token_storage', N'reauthorize') IS NULL ALTER TABLE [etl_control].[api_token_storage] ADD [reauthorize] NVARCHAR(MAX) NULL
