EXEC sp_releaseapplock @Resource = @p1, @LockOwner = 'Session';
