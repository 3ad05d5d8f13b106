SELECT [holder], [epoch], [expires_at], [host], [pid], [succeeded_at], [succeeded_mode] FROM [etl_control].[leases] WHERE [pipeline] = @p1 AND [stream] = @p2
