IF OBJECT_ID(N'tempdb..#etl_shopee_escrow_releases_dd09a506') IS NOT NULL DROP TABLE #etl_shopee_escrow_releases_dd09a506;
CREATE TABLE #etl_shopee_escrow_releases_dd09a506 ([shop_id] BIGINT NOT NULL, [order_sn] NVARCHAR(50) NOT NULL, [payout_amount] DECIMAL(38,4) NULL, [escrow_release_time] DATETIMEOFFSET(7) NULL, [raw_json] NVARCHAR(MAX) NULL, [source_request_id] NVARCHAR(100) NULL, [ingested_at] DATETIMEOFFSET(7) NULL, [etl_created_at] DATETIMEOFFSET(7) NULL, [etl_updated_at] DATETIMEOFFSET(7) NULL, [etl_batch_id] NVARCHAR(50) NULL, [etl_source] NVARCHAR(50) NULL);
MERGE [staging].[shopee_escrow_releases] WITH (HOLDLOCK) AS t
USING #etl_shopee_escrow_releases_dd09a506 AS s
ON t.[shop_id] = s.[shop_id] AND t.[order_sn] = s.[order_sn]
WHEN MATCHED AND EXISTS (SELECT s.[payout_amount], s.[escrow_release_time], s.[raw_json] EXCEPT SELECT t.[payout_amount], t.[escrow_release_time], t.[raw_json]) THEN
	UPDATE SET [payout_amount] = s.[payout_amount], [escrow_release_time] = s.[escrow_release_time], [raw_json] = s.[raw_json], [source_request_id] = s.[source_request_id], [ingested_at] = s.[ingested_at], [etl_updated_at] = s.[etl_updated_at], [etl_batch_id] = s.[etl_batch_id], [etl_source] = s.[etl_source]
WHEN NOT MATCHED BY TARGET THEN
	INSERT ([shop_id], [order_sn], [payout_amount], [escrow_release_time], [raw_json], [source_request_id], [ingested_at], [etl_created_at], [etl_updated_at], [etl_batch_id], [etl_source]) VALUES (s.[shop_id], s.[order_sn], s.[payout_amount], s.[escrow_release_time], s.[raw_json], s.[source_request_id], s.[ingested_at], s.[etl_created_at], s.[etl_updated_at], s.[etl_batch_id], s.[etl_source]);
UPDATE t SET t.[payout_amount] = s.[payout_amount], t.[escrow_release_time] = s.[escrow_release_time], t.[raw_json] = s.[raw_json], t.[source_request_id] = s.[source_request_id], t.[ingested_at] = s.[ingested_at], t.[etl_updated_at] = s.[etl_updated_at], t.[etl_batch_id] = s.[etl_batch_id], t.[etl_source] = s.[etl_source]
FROM [staging].[shopee_escrow_releases] AS t WITH (UPDLOCK, HOLDLOCK)
JOIN #etl_shopee_escrow_releases_dd09a506 AS s ON t.[shop_id] = s.[shop_id] AND t.[order_sn] = s.[order_sn]
WHERE EXISTS (SELECT s.[payout_amount], s.[escrow_release_time], s.[raw_json] EXCEPT SELECT t.[payout_amount], t.[escrow_release_time], t.[raw_json]);
INSERT INTO [staging].[shopee_escrow_releases] ([shop_id], [order_sn], [payout_amount], [escrow_release_time], [raw_json], [source_request_id], [ingested_at], [etl_created_at], [etl_updated_at], [etl_batch_id], [etl_source])
SELECT s.[shop_id], s.[order_sn], s.[payout_amount], s.[escrow_release_time], s.[raw_json], s.[source_request_id], s.[ingested_at], s.[etl_created_at], s.[etl_updated_at], s.[etl_batch_id], s.[etl_source] FROM #etl_shopee_escrow_releases_dd09a506 AS s
WHERE NOT EXISTS (SELECT 1 FROM [staging].[shopee_escrow_releases] AS t WITH (UPDLOCK, HOLDLOCK) WHERE t.[shop_id] = s.[shop_id] AND t.[order_sn] = s.[order_sn]);
IF OBJECT_ID(N'tempdb..#etl_shopee_escrow_releases_dd09a506') IS NOT NULL DROP TABLE #etl_shopee_escrow_releases_dd09a506
