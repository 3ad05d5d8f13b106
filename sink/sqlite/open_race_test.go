package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// Workers that start together on a warehouse file that does not exist yet
// all open it: one creates it, the others find it made. Each round opens a
// new file from four goroutines at once (each its own connections, as
// separate processes have); every open succeeds and the file has the
// default page size and WAL.
func TestWorkersOpenANewFileTogether(t *testing.T) {
	ctx := context.Background()
	const rounds, openers = 40, 4
	for r := 0; r < rounds; r++ {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("new%d.db", r))
		sinks := make([]*sqlite.Sink, openers)
		errs := make([]error, openers)
		var start, done sync.WaitGroup
		start.Add(1)
		for i := range openers {
			done.Add(1)
			go func() {
				defer done.Done()
				start.Wait()
				sinks[i], errs[i] = sqlite.Open(ctx, sqlite.Config{Path: path})
			}()
		}
		start.Done()
		done.Wait()
		for i := range openers {
			require.NoError(t, errs[i], "round %d, opener %d", r, i)
			size, mode := pageSizeAndJournal(t, sinks[i])
			require.Equal(t, sqlite.DefaultPageSize, size)
			require.Equal(t, "wal", mode)
			require.NoError(t, sinks[i].Close())
		}
	}
}
