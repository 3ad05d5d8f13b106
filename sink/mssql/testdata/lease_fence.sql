UPDATE [etl_control].[leases] SET [written_at] = SYSDATETIMEOFFSET()
WHERE [pipeline] = @p1 AND [stream] = @p2 AND [holder] = @p3 AND [epoch] = @p4
