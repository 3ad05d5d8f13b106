package connector_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// errCrash is the crash hook's failure: the write it is injected into is
// rolled back, as a killed process's open transaction is.
var errCrash = errors.New("crash")

// The coalescing rule of full loads (Runner.FullLoadBatchSize and
// FullLoadCheckpointInterval): a batch is written when it holds
// FullLoadBatchSize rows and carries the newest checkpoint whose rows it or
// an earlier batch holds. A crash between two coalesced checkpoints loses
// nothing, and the next run re-reads at most the rows of one batch that
// were already stored (fewer than FullLoadBatchSize rows): the documented
// bound. Real SQLite file; the crash is a hook in the write transaction
// that fails the n-th batch, for every n.
func TestFullLoadCrashBetweenCoalescedCheckpointsLosesNothing(t *testing.T) {
	const orders, page, rowsPerOrder, batchRows = 100, 5, 3, 30 // a page is 15 rows, a batch two pages
	for crashAt := 1; crashAt <= 6; crashAt++ {
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "crash.db")
		var writes atomic.Int64
		sink, err := sqlite.Open(ctx, sqlite.Config{Path: path, BeforeCommit: func(context.Context, *connector.Batch) error {
			if writes.Add(1) == int64(crashAt) {
				return errCrash
			}
			return nil
		}})
		require.NoError(t, err)
		src := newShop(orders, page)
		log := &checkpointLog{}
		r := &connector.Runner{Mode: connector.Full, FullLoadBatchSize: batchRows, FullLoadCheckpointInterval: time.Hour, Logger: quiet(),
			Observer: log.observe}
		res := r.Run(ctx, pipeline("crash", src, sink))[0]
		committed := log.all()
		require.Equal(t, connector.StatusFailed, res.Status, "crash at write %d", crashAt)
		require.ErrorIs(t, res.Err, errCrash)
		require.Len(t, committed, crashAt-1, "one checkpoint per batch written before the crash, not one per page")

		// What the crash left: the rows of the batches before it, and
		// the checkpoint of the last one.
		stored := storedOrders(t, sink)
		cp, err := sink.LoadCheckpoint(ctx, "crash", "orders")
		require.NoError(t, err)
		var at struct{ Seq int64 }
		if cp != nil {
			require.NoError(t, json.Unmarshal(cp, &at))
			require.JSONEq(t, committed[len(committed)-1], string(cp))
		}
		require.NoError(t, sink.Close())

		// The next run (incremental, from the stored checkpoint) on a new
		// process's sink over the same file.
		sink, err = sqlite.Open(ctx, sqlite.Config{Path: path})
		require.NoError(t, err)
		var reread []string
		r = &connector.Runner{Logger: quiet()}
		reader := &recordingShop{shop: src, onRecord: func(key string) {
			if stored[key] {
				reread = append(reread, key)
			}
		}}
		res = r.Run(ctx, pipeline("crash", reader, sink))[0]
		require.NoError(t, res.Err)
		require.Equal(t, expected(src), contents(t, sink.DB()), "crash at write %d: nothing lost", crashAt)
		require.Less(t, len(reread)*rowsPerOrder, batchRows,
			"crash at write %d (checkpoint %s): the next run re-read %d stored orders (%v), the bound is under one batch of %d rows", crashAt, cp, len(reread), reread, batchRows)
		if crashAt > 1 {
			// The bound is reached: the checkpoint a batch carries is the
			// page before the one that filled it, so the filling page is
			// stored but read again.
			require.Equal(t, page, len(reread), "crash at write %d: one page re-read", crashAt)
		}
		require.NoError(t, sink.Close())
	}
}

// checkpointLog records the checkpoints a run commits, in order.
type checkpointLog struct {
	mu  sync.Mutex
	cps []string
}

func (l *checkpointLog) observe(e connector.Event) {
	if e.Kind == connector.CheckpointCommitted {
		l.mu.Lock()
		l.cps = append(l.cps, string(e.Checkpoint))
		l.mu.Unlock()
	}
}

func (l *checkpointLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.cps...)
}

// storedOrders returns the order ids the sink holds.
func storedOrders(t *testing.T, s *sqlite.Sink) map[string]bool {
	t.Helper()
	rows, err := s.DB().Query(`SELECT order_id FROM test_orders`)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		require.NoError(t, rows.Scan(&id))
		out[id] = true
	}
	require.NoError(t, rows.Err())
	return out
}

// recordingShop is a shop whose stream reports every record it emits.
type recordingShop struct {
	shop     *shop
	onRecord func(key string)
}

func (r *recordingShop) Streams() []connector.Stream {
	return []connector.Stream{recordingStream{Stream: shopStream{r.shop}, on: r.onRecord}}
}

type recordingStream struct {
	connector.Stream
	on func(key string)
}

func (s recordingStream) Read(ctx context.Context, opts connector.ReadOptions, emit connector.EmitFunc) error {
	return s.Stream.Read(ctx, opts, func(ctx context.Context, p connector.Page) error {
		for _, rec := range p.Records {
			s.on(rec.Key)
		}
		return emit(ctx, p)
	})
}

// During a full load, FullLoadCheckpointInterval bounds the time between
// two commits whatever the rows: at the first checkpoint after the
// interval has passed, the batch is written with it. The clock is the
// runner's (Runner.Now), moved by the source between pages.
func TestFullLoadCheckpointIntervalBoundsTheTimeBetweenCommits(t *testing.T) {
	ctx := context.Background()
	sink := openSink(t)
	var mu sync.Mutex
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	src := newShop(100, 5) // 20 pages
	src.onPage = func(n int) {
		if n%4 == 0 {
			// The page handed over after this one is read more than
			// an interval after the last commit.
			mu.Lock()
			now = now.Add(11 * time.Second)
			mu.Unlock()
		}
	}
	log := &checkpointLog{}
	r := &connector.Runner{FullLoadCheckpointInterval: 10 * time.Second, PageBuffer: 1, Now: clock, Logger: quiet(), Observer: log.observe}
	res := r.Run(ctx, pipeline("interval", src, sink))[0]
	commits := log.all()
	require.NoError(t, res.Err)
	require.Equal(t, expected(src), contents(t, sink.DB()))
	// 300 rows never fill a default batch: only the interval and the end
	// of the stream commit. Each clock move (after pages 4, 8, 12, 16 and
	// 20) commits once, at the page the runner is at when it sees it: with
	// one page buffered, the page before the move, its own or the next.
	// The end commits the rest, unless the last move's commit was at the
	// last page.
	require.True(t, len(commits) == 5 || len(commits) == 6, "%v", commits)
	for i, c := range commits[:5] {
		var at struct{ Seq int }
		require.NoError(t, json.Unmarshal([]byte(c), &at))
		moved := 4 * (i + 1)
		require.True(t, at.Seq/5 >= moved-1 && at.Seq/5 <= min(moved+1, 20), "commit %d at page %d, the clock moved after page %d: %v", i, at.Seq/5, moved, commits)
	}
	require.JSONEq(t, `{"seq":100}`, commits[len(commits)-1])
}

// A full-load batch ends at the record that brings its source bytes to
// FullLoadBatchBytes, whatever its rows: every batch but the last reaches
// the bound with its last record and not before.
func TestFullLoadBatchBytesBoundsABatch(t *testing.T) {
	ctx := context.Background()
	var sizes []int
	require.NoError(t, newShop(200, 10).Streams()[0].Read(ctx, connector.ReadOptions{}, func(_ context.Context, p connector.Page) error {
		for _, r := range p.Records {
			sizes = append(sizes, len(r.Data))
		}
		return nil
	}))
	limit := 10*sizes[0] + 1
	var mu sync.Mutex
	var batches []int
	r := &connector.Runner{FullLoadBatchBytes: limit, FullLoadCheckpointInterval: time.Hour, Logger: quiet(),
		Observer: func(e connector.Event) {
			if e.Kind == connector.BatchWritten {
				mu.Lock()
				batches = append(batches, e.Records)
				mu.Unlock()
			}
		}}
	sink := openSink(t)
	src := newShop(200, 10)
	res := r.Run(ctx, pipeline("bytes", src, sink))[0]
	require.NoError(t, res.Err)
	require.Equal(t, expected(src), contents(t, sink.DB()))
	require.Greater(t, len(batches), 2, "the byte bound ended batches long before 5,000 rows")
	sum := func(xs []int) (n int) {
		for _, x := range xs {
			n += x
		}
		return n
	}
	at := 0
	for k, n := range batches[:len(batches)-1] {
		b := sizes[at : at+n]
		require.GreaterOrEqual(t, sum(b), limit, "batch %d of %d records", k, n)
		require.Less(t, sum(b[:n-1]), limit, "batch %d went on past the bound", k)
		at += n
	}
	require.Equal(t, len(sizes), at+batches[len(batches)-1])
}
