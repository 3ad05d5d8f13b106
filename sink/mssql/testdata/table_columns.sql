SELECT c.[name], t.[name]
FROM sys.columns c JOIN sys.types t ON t.user_type_id = c.user_type_id
WHERE c.[object_id] = OBJECT_ID(@p1)
