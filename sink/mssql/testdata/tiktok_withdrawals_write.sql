IF OBJECT_ID(N'tempdb..#etl_tiktok_withdrawals_175562e5') IS NOT NULL DROP TABLE #etl_tiktok_withdrawals_175562e5;
CREATE TABLE #etl_tiktok_withdrawals_175562e5 ([shop_id] NVARCHAR(100) NOT NULL, [withdrawal_id] NVARCHAR(100) NOT NULL, [withdrawal_type] NVARCHAR(50) NULL, [amount] DECIMAL(38,4) NULL, [currency] NVARCHAR(10) NULL, [status] NVARCHAR(50) NULL, [status_rank] BIGINT NULL, [create_time] DATETIMEOFFSET(7) NULL, [raw_json] NVARCHAR(MAX) NULL, [source_request_id] NVARCHAR(100) NULL, [etl_created_at] DATETIMEOFFSET(7) NULL, [etl_updated_at] DATETIMEOFFSET(7) NULL, [etl_batch_id] NVARCHAR(50) NULL, [etl_source] NVARCHAR(50) NULL);
IF OBJECT_ID(N'tempdb..#etl_stale_tiktok_withdrawals_175562e5') IS NOT NULL DROP TABLE #etl_stale_tiktok_withdrawals_175562e5;
CREATE TABLE #etl_stale_tiktok_withdrawals_175562e5 ([shop_id] NVARCHAR(100) NOT NULL, [withdrawal_id] NVARCHAR(100) NOT NULL);
INSERT INTO #etl_stale_tiktok_withdrawals_175562e5 ([shop_id], [withdrawal_id])
SELECT DISTINCT s.[shop_id], s.[withdrawal_id] FROM #etl_tiktok_withdrawals_175562e5 AS s
JOIN [staging].[tiktok_withdrawals] AS t ON t.[shop_id] = s.[shop_id] AND t.[withdrawal_id] = s.[withdrawal_id]
WHERE t.[status_rank] IS NOT NULL AND (s.[status_rank] IS NULL OR t.[status_rank] > s.[status_rank]);
DELETE c FROM #etl_tiktok_withdrawals_175562e5 AS c
WHERE EXISTS (SELECT 1 FROM #etl_stale_tiktok_withdrawals_175562e5 AS x WHERE x.[shop_id] = c.[shop_id] AND x.[withdrawal_id] = c.[withdrawal_id]);
MERGE [staging].[tiktok_withdrawals] WITH (HOLDLOCK) AS t
USING #etl_tiktok_withdrawals_175562e5 AS s
ON t.[shop_id] = s.[shop_id] AND t.[withdrawal_id] = s.[withdrawal_id]
WHEN MATCHED AND (t.[status_rank] IS NULL OR (s.[status_rank] IS NOT NULL AND t.[status_rank] <= s.[status_rank])) AND EXISTS (SELECT s.[withdrawal_type], s.[amount], s.[currency], s.[status], s.[status_rank], s.[create_time], s.[raw_json] EXCEPT SELECT t.[withdrawal_type], t.[amount], t.[currency], t.[status], t.[status_rank], t.[create_time], t.[raw_json]) THEN
	UPDATE SET [withdrawal_type] = s.[withdrawal_type], [amount] = s.[amount], [currency] = s.[currency], [status] = s.[status], [status_rank] = s.[status_rank], [create_time] = s.[create_time], [raw_json] = s.[raw_json], [source_request_id] = s.[source_request_id], [etl_updated_at] = s.[etl_updated_at], [etl_batch_id] = s.[etl_batch_id], [etl_source] = s.[etl_source]
WHEN NOT MATCHED BY TARGET THEN
	INSERT ([shop_id], [withdrawal_id], [withdrawal_type], [amount], [currency], [status], [status_rank], [create_time], [raw_json], [source_request_id], [etl_created_at], [etl_updated_at], [etl_batch_id], [etl_source]) VALUES (s.[shop_id], s.[withdrawal_id], s.[withdrawal_type], s.[amount], s.[currency], s.[status], s.[status_rank], s.[create_time], s.[raw_json], s.[source_request_id], s.[etl_created_at], s.[etl_updated_at], s.[etl_batch_id], s.[etl_source]);
UPDATE t SET t.[withdrawal_type] = s.[withdrawal_type], t.[amount] = s.[amount], t.[currency] = s.[currency], t.[status] = s.[status], t.[status_rank] = s.[status_rank], t.[create_time] = s.[create_time], t.[raw_json] = s.[raw_json], t.[source_request_id] = s.[source_request_id], t.[etl_updated_at] = s.[etl_updated_at], t.[etl_batch_id] = s.[etl_batch_id], t.[etl_source] = s.[etl_source]
FROM [staging].[tiktok_withdrawals] AS t WITH (UPDLOCK, HOLDLOCK)
JOIN #etl_tiktok_withdrawals_175562e5 AS s ON t.[shop_id] = s.[shop_id] AND t.[withdrawal_id] = s.[withdrawal_id]
WHERE (t.[status_rank] IS NULL OR (s.[status_rank] IS NOT NULL AND t.[status_rank] <= s.[status_rank])) AND EXISTS (SELECT s.[withdrawal_type], s.[amount], s.[currency], s.[status], s.[status_rank], s.[create_time], s.[raw_json] EXCEPT SELECT t.[withdrawal_type], t.[amount], t.[currency], t.[status], t.[status_rank], t.[create_time], t.[raw_json]);
INSERT INTO [staging].[tiktok_withdrawals] ([shop_id], [withdrawal_id], [withdrawal_type], [amount], [currency], [status], [status_rank], [create_time], [raw_json], [source_request_id], [etl_created_at], [etl_updated_at], [etl_batch_id], [etl_source])
SELECT s.[shop_id], s.[withdrawal_id], s.[withdrawal_type], s.[amount], s.[currency], s.[status], s.[status_rank], s.[create_time], s.[raw_json], s.[source_request_id], s.[etl_created_at], s.[etl_updated_at], s.[etl_batch_id], s.[etl_source] FROM #etl_tiktok_withdrawals_175562e5 AS s
WHERE NOT EXISTS (SELECT 1 FROM [staging].[tiktok_withdrawals] AS t WITH (UPDLOCK, HOLDLOCK) WHERE t.[shop_id] = s.[shop_id] AND t.[withdrawal_id] = s.[withdrawal_id]);
IF OBJECT_ID(N'tempdb..#etl_tiktok_withdrawals_175562e5') IS NOT NULL DROP TABLE #etl_tiktok_withdrawals_175562e5;
IF OBJECT_ID(N'tempdb..#etl_stale_tiktok_withdrawals_175562e5') IS NOT NULL DROP TABLE #etl_stale_tiktok_withdrawals_175562e5
