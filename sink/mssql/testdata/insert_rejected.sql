INSERT INTO [etl_control].[rejected_records] ([pipeline], [stream], [record_key], [reason], [payload], [run_id], [rejected_at], [payload_encoding]) VALUES (@p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8)
