package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

func pageSizeAndJournal(t *testing.T, s *sqlite.Sink) (int, string) {
	t.Helper()
	var size int
	var mode string
	require.NoError(t, s.DB().QueryRow("PRAGMA page_size").Scan(&size))
	require.NoError(t, s.DB().QueryRow("PRAGMA journal_mode").Scan(&mode))
	return size, mode
}

// TestPageSizeOfNewFiles checks that a new file gets Config.PageSize
// (DefaultPageSize when unset) and WAL, that a file that exists keeps its
// page size and its rows, and that an impossible page size is refused.
func TestPageSizeOfNewFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	s := open(t, sqlite.Config{Path: filepath.Join(dir, "default.db")})
	size, mode := pageSizeAndJournal(t, s)
	require.Equal(t, sqlite.DefaultPageSize, size)
	require.Equal(t, "wal", mode)

	path := filepath.Join(dir, "small.db")
	s, err := sqlite.Open(ctx, sqlite.Config{Path: path, PageSize: 4096})
	require.NoError(t, err)
	size, mode = pageSizeAndJournal(t, s)
	require.Equal(t, 4096, size)
	require.Equal(t, "wal", mode)
	tb := &connector.Table{Schema: "staging", Name: "kept", PrimaryKey: []string{"id"}, Columns: []connector.Column{
		{Name: "id", Type: connector.Int}}}
	require.NoError(t, s.Prepare(ctx, []*connector.Table{tb}))
	require.NoError(t, s.Write(ctx, &connector.Batch{Pipeline: "p", Stream: "s", Tables: []connector.TableRows{
		{Table: tb, Rows: [][]any{{int64(7)}}}}}))
	require.NoError(t, s.Close())

	s = open(t, sqlite.Config{Path: path}) // the default would be 64 KiB: the file keeps 4 KiB
	size, mode = pageSizeAndJournal(t, s)
	require.Equal(t, 4096, size)
	require.Equal(t, "wal", mode)
	var n int
	require.NoError(t, s.DB().QueryRow("SELECT count(*) FROM kept WHERE id = 7").Scan(&n))
	require.Equal(t, 1, n)

	for _, bad := range []int{-1, 256, 3000, 131072} {
		_, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "bad.db"), PageSize: bad})
		require.Error(t, err, "page size %d", bad)
	}
}
