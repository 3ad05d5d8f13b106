IF @p8 = 1
	UPDATE [etl_control].[batch_runs] SET [status] = N'ABANDONED', [end_time] = @p4, [taken_over_by] = @p1, [error_message] = COALESCE([error_message], @p9)
	WHERE [pipeline] = @p5 AND [table_name] = @p3 AND [status] = N'RUNNING';
INSERT INTO [etl_control].[batch_runs] ([batch_id], [data_source], [table_name], [start_time], [status], [pipeline], [account], [records_extracted], [records_loaded], [records_rejected])
VALUES (@p1, @p2, @p3, @p4, N'RUNNING', @p5, @p6, 0, 0, 0);
UPDATE [etl_control].[data_sources] WITH (UPDLOCK, HOLDLOCK) SET [is_active] = 1, [updated_at] = @p4 WHERE [source_id] = @p5;
IF @@ROWCOUNT = 0
	INSERT INTO [etl_control].[data_sources] ([source_id], [source_name], [source_type], [is_active], [created_at], [updated_at]) VALUES (@p5, @p7, @p2, 1, @p4, @p4);
