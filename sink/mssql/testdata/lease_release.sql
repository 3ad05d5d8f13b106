UPDATE [etl_control].[leases] SET [expires_at] = @p5, [succeeded_at] = COALESCE(@p6, [succeeded_at]), [succeeded_mode] = COALESCE(@p7, [succeeded_mode])
WHERE [pipeline] = @p1 AND [stream] = @p2 AND [holder] = @p3 AND [epoch] = @p4
