IF OBJECT_ID(N'tempdb..#etl_stale_vs_41a9b80a') IS NOT NULL DROP TABLE #etl_stale_vs_41a9b80a;
CREATE TABLE #etl_stale_vs_41a9b80a ([order_id] NVARCHAR(20) NOT NULL)
