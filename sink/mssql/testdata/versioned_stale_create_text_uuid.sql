IF OBJECT_ID(N'tempdb..#etl_stale_vu') IS NOT NULL DROP TABLE #etl_stale_vu;
CREATE TABLE #etl_stale_vu ([id] NVARCHAR(36) NOT NULL)
