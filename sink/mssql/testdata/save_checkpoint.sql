UPDATE [etl_control].[checkpoints] WITH (UPDLOCK, HOLDLOCK) SET [checkpoint] = @p3, [updated_at] = SYSDATETIMEOFFSET() WHERE [pipeline] = @p1 AND [stream] = @p2;
IF @@ROWCOUNT = 0
	INSERT INTO [etl_control].[checkpoints] ([pipeline], [stream], [checkpoint], [updated_at]) VALUES (@p1, @p2, @p3, SYSDATETIMEOFFSET());
