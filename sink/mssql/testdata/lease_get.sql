SELECT [holder], [epoch], [expires_at], [host], [pid] FROM [etl_control].[leases] WHERE [pipeline] = @p1 AND [stream] = @p2
