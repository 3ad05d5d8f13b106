UPDATE [etl_control].[leases] SET [holder] = @p5, [epoch] = @p6, [expires_at] = @p7, [host] = @p8, [pid] = @p9
WHERE [pipeline] = @p1 AND [stream] = @p2 AND [holder] = @p3 AND [epoch] = @p4
