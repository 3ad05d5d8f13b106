UPDATE [etl_control].[batch_runs] SET [end_time] = @p1, [status] = @p2, [records_extracted] = @p3, [records_loaded] = @p4, [records_rejected] = @p5, [error_message] = @p6 WHERE [batch_id] = @p7 AND [status] <> N'ABANDONED';
IF @p2 = N'SUCCESS'
	UPDATE [etl_control].[data_sources] SET [last_extract_time] = @p1, [updated_at] = @p1 WHERE [source_id] = @p8;
IF @p2 = N'SUCCESS' AND @p10 IS NOT NULL
	UPDATE [etl_control].[leases] SET [succeeded_at] = SYSDATETIMEOFFSET(), [succeeded_mode] = @p10 WHERE [pipeline] = @p8 AND [stream] = @p9;
