INSERT INTO [etl_control].[leases] ([pipeline], [stream], [holder], [epoch], [expires_at], [host], [pid])
SELECT @p1, @p2, @p3, @p4, @p5, @p6, @p7
WHERE NOT EXISTS (SELECT 1 FROM [etl_control].[leases] WHERE [pipeline] = @p1 AND [stream] = @p2)
