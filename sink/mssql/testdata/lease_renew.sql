UPDATE [etl_control].[leases] SET [expires_at] = @p5
WHERE [pipeline] = @p1 AND [stream] = @p2 AND [holder] = @p3 AND [epoch] = @p4
