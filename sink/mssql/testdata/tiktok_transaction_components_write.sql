IF OBJECT_ID(N'tempdb..#etl_tiktok_transaction_components_cc87f1d1') IS NOT NULL DROP TABLE #etl_tiktok_transaction_components_cc87f1d1;
CREATE TABLE #etl_tiktok_transaction_components_cc87f1d1 ([shop_id] NVARCHAR(100) NOT NULL, [transaction_id] NVARCHAR(100) NOT NULL, [component_group] NVARCHAR(50) NOT NULL, [code] NVARCHAR(150) NOT NULL, [amount] DECIMAL(38,4) NULL, [source_request_id] NVARCHAR(100) NULL, [etl_created_at] DATETIMEOFFSET(7) NULL, [etl_updated_at] DATETIMEOFFSET(7) NULL, [etl_batch_id] NVARCHAR(50) NULL, [etl_source] NVARCHAR(50) NULL);
MERGE [staging].[tiktok_transaction_components] WITH (HOLDLOCK) AS t
USING #etl_tiktok_transaction_components_cc87f1d1 AS s
ON t.[shop_id] = s.[shop_id] AND t.[transaction_id] = s.[transaction_id] AND t.[component_group] = s.[component_group] AND t.[code] = s.[code]
WHEN MATCHED AND EXISTS (SELECT s.[amount] EXCEPT SELECT t.[amount]) THEN
	UPDATE SET [amount] = s.[amount], [source_request_id] = s.[source_request_id], [etl_updated_at] = s.[etl_updated_at], [etl_batch_id] = s.[etl_batch_id], [etl_source] = s.[etl_source]
WHEN NOT MATCHED BY TARGET THEN
	INSERT ([shop_id], [transaction_id], [component_group], [code], [amount], [source_request_id], [etl_created_at], [etl_updated_at], [etl_batch_id], [etl_source]) VALUES (s.[shop_id], s.[transaction_id], s.[component_group], s.[code], s.[amount], s.[source_request_id], s.[etl_created_at], s.[etl_updated_at], s.[etl_batch_id], s.[etl_source]);
UPDATE t SET t.[amount] = s.[amount], t.[source_request_id] = s.[source_request_id], t.[etl_updated_at] = s.[etl_updated_at], t.[etl_batch_id] = s.[etl_batch_id], t.[etl_source] = s.[etl_source]
FROM [staging].[tiktok_transaction_components] AS t WITH (UPDLOCK, HOLDLOCK)
JOIN #etl_tiktok_transaction_components_cc87f1d1 AS s ON t.[shop_id] = s.[shop_id] AND t.[transaction_id] = s.[transaction_id] AND t.[component_group] = s.[component_group] AND t.[code] = s.[code]
WHERE EXISTS (SELECT s.[amount] EXCEPT SELECT t.[amount]);
INSERT INTO [staging].[tiktok_transaction_components] ([shop_id], [transaction_id], [component_group], [code], [amount], [source_request_id], [etl_created_at], [etl_updated_at], [etl_batch_id], [etl_source])
SELECT s.[shop_id], s.[transaction_id], s.[component_group], s.[code], s.[amount], s.[source_request_id], s.[etl_created_at], s.[etl_updated_at], s.[etl_batch_id], s.[etl_source] FROM #etl_tiktok_transaction_components_cc87f1d1 AS s
WHERE NOT EXISTS (SELECT 1 FROM [staging].[tiktok_transaction_components] AS t WITH (UPDLOCK, HOLDLOCK) WHERE t.[shop_id] = s.[shop_id] AND t.[transaction_id] = s.[transaction_id] AND t.[component_group] = s.[component_group] AND t.[code] = s.[code]);
DELETE c FROM [staging].[tiktok_transaction_components] AS c
WHERE EXISTS (SELECT 1 FROM #etl_tiktok_statement_transactions_b30fa229 AS p WHERE p.[shop_id] = c.[shop_id] AND p.[transaction_id] = c.[transaction_id])
AND NOT EXISTS (SELECT 1 FROM #etl_tiktok_transaction_components_cc87f1d1 AS k WHERE k.[shop_id] = c.[shop_id] AND k.[transaction_id] = c.[transaction_id] AND k.[component_group] = c.[component_group] AND k.[code] = c.[code]);
IF OBJECT_ID(N'tempdb..#etl_tiktok_transaction_components_cc87f1d1') IS NOT NULL DROP TABLE #etl_tiktok_transaction_components_cc87f1d1
