IF OBJECT_ID(N'tempdb..#etl_shopee_order_adjustments_afa4edac') IS NOT NULL DROP TABLE #etl_shopee_order_adjustments_afa4edac;
CREATE TABLE #etl_shopee_order_adjustments_afa4edac ([shop_id] BIGINT NOT NULL, [order_sn] NVARCHAR(50) NOT NULL, [adjustment_index] BIGINT NOT NULL, [amount] DECIMAL(38,4) NULL, [date] DATETIMEOFFSET(7) NULL, [currency] NVARCHAR(10) NULL, [adjustment_reason] NVARCHAR(500) NULL, [source_request_id] NVARCHAR(100) NULL, [ingested_at] DATETIMEOFFSET(7) NULL, [etl_created_at] DATETIMEOFFSET(7) NULL, [etl_updated_at] DATETIMEOFFSET(7) NULL, [etl_batch_id] NVARCHAR(50) NULL, [etl_source] NVARCHAR(50) NULL);
DELETE c FROM #etl_shopee_order_adjustments_afa4edac AS c
WHERE EXISTS (SELECT 1 FROM #etl_stale_shopee_order_income_a4db8815 AS x WHERE x.[shop_id] = c.[shop_id] AND x.[order_sn] = c.[order_sn]);
MERGE [staging].[shopee_order_adjustments] WITH (HOLDLOCK) AS t
USING #etl_shopee_order_adjustments_afa4edac AS s
ON t.[shop_id] = s.[shop_id] AND t.[order_sn] = s.[order_sn] AND t.[adjustment_index] = s.[adjustment_index]
WHEN MATCHED AND EXISTS (SELECT s.[amount], s.[date], s.[currency], s.[adjustment_reason] EXCEPT SELECT t.[amount], t.[date], t.[currency], t.[adjustment_reason]) THEN
	UPDATE SET [amount] = s.[amount], [date] = s.[date], [currency] = s.[currency], [adjustment_reason] = s.[adjustment_reason], [source_request_id] = s.[source_request_id], [ingested_at] = s.[ingested_at], [etl_updated_at] = s.[etl_updated_at], [etl_batch_id] = s.[etl_batch_id], [etl_source] = s.[etl_source]
WHEN NOT MATCHED BY TARGET THEN
	INSERT ([shop_id], [order_sn], [adjustment_index], [amount], [date], [currency], [adjustment_reason], [source_request_id], [ingested_at], [etl_created_at], [etl_updated_at], [etl_batch_id], [etl_source]) VALUES (s.[shop_id], s.[order_sn], s.[adjustment_index], s.[amount], s.[date], s.[currency], s.[adjustment_reason], s.[source_request_id], s.[ingested_at], s.[etl_created_at], s.[etl_updated_at], s.[etl_batch_id], s.[etl_source]);
UPDATE t SET t.[amount] = s.[amount], t.[date] = s.[date], t.[currency] = s.[currency], t.[adjustment_reason] = s.[adjustment_reason], t.[source_request_id] = s.[source_request_id], t.[ingested_at] = s.[ingested_at], t.[etl_updated_at] = s.[etl_updated_at], t.[etl_batch_id] = s.[etl_batch_id], t.[etl_source] = s.[etl_source]
FROM [staging].[shopee_order_adjustments] AS t WITH (UPDLOCK, HOLDLOCK)
JOIN #etl_shopee_order_adjustments_afa4edac AS s ON t.[shop_id] = s.[shop_id] AND t.[order_sn] = s.[order_sn] AND t.[adjustment_index] = s.[adjustment_index]
WHERE EXISTS (SELECT s.[amount], s.[date], s.[currency], s.[adjustment_reason] EXCEPT SELECT t.[amount], t.[date], t.[currency], t.[adjustment_reason]);
INSERT INTO [staging].[shopee_order_adjustments] ([shop_id], [order_sn], [adjustment_index], [amount], [date], [currency], [adjustment_reason], [source_request_id], [ingested_at], [etl_created_at], [etl_updated_at], [etl_batch_id], [etl_source])
SELECT s.[shop_id], s.[order_sn], s.[adjustment_index], s.[amount], s.[date], s.[currency], s.[adjustment_reason], s.[source_request_id], s.[ingested_at], s.[etl_created_at], s.[etl_updated_at], s.[etl_batch_id], s.[etl_source] FROM #etl_shopee_order_adjustments_afa4edac AS s
WHERE NOT EXISTS (SELECT 1 FROM [staging].[shopee_order_adjustments] AS t WITH (UPDLOCK, HOLDLOCK) WHERE t.[shop_id] = s.[shop_id] AND t.[order_sn] = s.[order_sn] AND t.[adjustment_index] = s.[adjustment_index]);
DELETE c FROM [staging].[shopee_order_adjustments] AS c
WHERE EXISTS (SELECT 1 FROM #etl_shopee_order_income_a4db8815 AS p WHERE p.[shop_id] = c.[shop_id] AND p.[order_sn] = c.[order_sn])
AND NOT EXISTS (SELECT 1 FROM #etl_shopee_order_adjustments_afa4edac AS k WHERE k.[shop_id] = c.[shop_id] AND k.[order_sn] = c.[order_sn] AND k.[adjustment_index] = c.[adjustment_index]);
IF OBJECT_ID(N'tempdb..#etl_shopee_order_adjustments_afa4edac') IS NOT NULL DROP TABLE #etl_shopee_order_adjustments_afa4edac
