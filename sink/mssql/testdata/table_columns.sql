SELECT c.[name], t.[name], (SELECT COUNT(*) FROM sys.indexes i WHERE i.[object_id] = c.[object_id] AND i.[name] = @p2)
FROM sys.columns c JOIN sys.types t ON t.user_type_id = c.user_type_id
WHERE c.[object_id] = OBJECT_ID(@p1)
