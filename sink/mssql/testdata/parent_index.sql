IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_x_parent' AND object_id = OBJECT_ID(N'staging.x'))
CREATE INDEX [IX_x_parent] ON [staging].[x] ([a], [b])
