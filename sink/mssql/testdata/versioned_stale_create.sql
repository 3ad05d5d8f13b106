IF OBJECT_ID(N'tempdb..#etl_stale_vo_1a7d4637') IS NOT NULL DROP TABLE #etl_stale_vo_1a7d4637;
CREATE TABLE #etl_stale_vo_1a7d4637 ([id] NVARCHAR(20) NOT NULL)
