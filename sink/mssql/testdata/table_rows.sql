SELECT COALESCE(SUM([rows]), 0) FROM sys.partitions WHERE [object_id] = OBJECT_ID(@p1) AND [index_id] IN (0, 1)
